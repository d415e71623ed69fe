// What changed between two versions of a campaign (two submission snapshots,
// or a submission and the drafts): one line per field that differs, in the
// wizard's words. Also used to tell someone whose save conflicted what the
// other person changed.
import { DELIVERABLES, PLATFORMS } from '../schemas/campaign-brief.ts';
import { KPI_METRICS, STEPS, type SectionKey } from './steps.ts';

export type FieldChange = {
	step: SectionKey;
	stepLabel: string;
	field: string;
	before: string | null;
	after: string | null;
};

const FIELD_LABELS: Record<string, string> = {
	name: 'Name',
	description: 'Description',
	brand_id: 'Brand',
	objective: 'Objective',
	kpis: 'KPIs',
	amount: 'Budget',
	currency: 'Currency',
	time_zone: 'Time zone',
	starts_at: 'Start',
	ends_at: 'End',
	lines: 'Budget lines',
	audience_ids: 'Audiences',
	requirements: 'Requirements'
};

/** Fields whose label depends on the step (`lines` of the budget vs of products). */
const STEP_FIELD_LABELS: Partial<Record<SectionKey, Record<string, string>>> = {
	products: { lines: 'Products' }
};

type Names = {
	brands?: Map<string, string>;
	audiences?: Map<string, string>;
	products?: Map<string, string>;
};

const scalar = (v: unknown) => (typeof v === 'number' || typeof v === 'string' ? String(v) : '');

/** "2 × Reel on Instagram (9:16), due 2099-03-15, #spring @northwind". */
function requirementText(r: Record<string, unknown>): string {
	const what = DELIVERABLES[r.deliverable as keyof typeof DELIVERABLES] ?? scalar(r.deliverable);
	const where = PLATFORMS[r.platform as keyof typeof PLATFORMS] ?? scalar(r.platform);
	const tags = [
		...(Array.isArray(r.hashtags) ? (r.hashtags as unknown[]) : []),
		...(Array.isArray(r.mentions) ? (r.mentions as unknown[]) : [])
	].map(scalar);
	return [
		`${scalar(r.count) || '?'} × ${what} on ${where}${r.format ? ` (${scalar(r.format)})` : ''}`,
		r.due_on ? `due ${scalar(r.due_on)}` : '',
		tags.join(' '),
		r.guidelines ? `“${scalar(r.guidelines).slice(0, 80)}”` : ''
	]
		.filter(Boolean)
		.join(', ');
}

function show(field: string, value: unknown, names: Names, step?: SectionKey): string | null {
	if (value === undefined || value === null || value === '') return null;
	if (field === 'audience_ids' && Array.isArray(value))
		return (
			value
				.map((id) => names.audiences?.get(scalar(id)) ?? 'a deleted audience')
				.sort()
				.join(', ') || null
		);
	if (field === 'requirements' && Array.isArray(value))
		return (
			value.map((r: Record<string, unknown>, i) => `${i + 1}. ${requirementText(r)}`).join('; ') ||
			null
		);
	if (step === 'products' && field === 'lines' && Array.isArray(value))
		return (
			value
				.map((l: Record<string, unknown>) => {
					const name = names.products?.get(scalar(l.product_id)) ?? 'a deleted product';
					const off = Number(l.discount_percent) ? ` (−${scalar(l.discount_percent)} %)` : '';
					return `${name} × ${scalar(l.quantity)}${off}`;
				})
				.join(', ') || null
		);
	if (field === 'brand_id' && typeof value === 'string')
		return names.brands?.get(value) ?? 'a deleted brand';
	if (field === 'kpis' && Array.isArray(value))
		return (
			value
				.map((k: { metric?: string; target?: unknown }) => {
					const label = KPI_METRICS[k.metric as keyof typeof KPI_METRICS] ?? k.metric ?? '?';
					return `${label} ${typeof k.target === 'number' || typeof k.target === 'string' ? k.target : ''}`.trim();
				})
				.join(', ') || null
		);
	if (field === 'lines' && Array.isArray(value))
		return (
			value
				.map((l: { label?: string; amount?: unknown }) =>
					`${l.label ?? ''} ${typeof l.amount === 'number' || typeof l.amount === 'string' ? l.amount : ''}`.trim()
				)
				.join(', ') || null
		);
	if ((field === 'starts_at' || field === 'ends_at') && typeof value === 'string')
		return value.replace('T', ' ');
	return typeof value === 'string' ? value : JSON.stringify(value);
}

const asObject = (v: unknown): Record<string, unknown> =>
	typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Fields of one section that differ. */
export function diffSection(
	step: SectionKey,
	before: unknown,
	after: unknown,
	names: Names = {}
): FieldChange[] {
	const a = asObject(before);
	const b = asObject(after);
	const stepLabel = STEPS.find((s) => s.key === step)?.label ?? step;
	const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
	const ordered = [
		...Object.keys(FIELD_LABELS).filter((k) => keys.includes(k)),
		...keys.filter((k) => !(k in FIELD_LABELS)).sort()
	];
	const out: FieldChange[] = [];
	for (const key of ordered) {
		const from = show(key, a[key], names, step);
		const to = show(key, b[key], names, step);
		if (from === to) continue;
		const label = STEP_FIELD_LABELS[step]?.[key] ?? FIELD_LABELS[key] ?? key;
		out.push({ step, stepLabel, field: label, before: from, after: to });
	}
	return out;
}

/** Fields that differ between two snapshots (every section), in step order. */
export function diffSnapshots(before: unknown, after: unknown, names: Names = {}): FieldChange[] {
	const a = asObject(before);
	const b = asObject(after);
	return STEPS.filter((s) => s.key !== 'review').flatMap((s) =>
		s.key in a || s.key in b ? diffSection(s.key as SectionKey, a[s.key], b[s.key], names) : []
	);
}
