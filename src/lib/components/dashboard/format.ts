// How the dashboard's charts write days and shares.

/** '2026-11-03' → 'Nov 3' (the day as counted, in UTC). */
export function shortDay(day: string): string {
	return new Date(`${day}T00:00:00Z`).toLocaleDateString('en-US', {
		month: 'short',
		day: 'numeric',
		timeZone: 'UTC'
	});
}

/** A share of a whole as a percentage to show: '42%', '0.4%', '<0.1%'. */
export function percent(part: number, whole: number): string {
	if (!whole || !part) return '0%';
	const p = (part / whole) * 100;
	if (p < 0.1) return '<0.1%';
	return p < 10 ? `${p.toFixed(1).replace(/\.0$/, '')}%` : `${Math.round(p)}%`;
}
