// Money as people read it: '€1,250.00', 'US$90.00' (the currency's own decimals).
export function formatMoney(value: number | string, currency: string): string {
	const n = typeof value === 'string' ? Number(value) : value;
	try {
		return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(n);
	} catch {
		return `${n.toFixed(2)} ${currency}`;
	}
}
