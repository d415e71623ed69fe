// What changed between two versions of a campaign (two submission snapshots,
// or a submission and the drafts): one line per field that differs, in the
// wizard's words. Also used to tell someone whose save conflicted what the
// other person changed.
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
	lines: 'Budget lines'
};

type Names = { brands?: Map<string, string> };

function show(field: string, value: unknown, names: Names): string | null {
	if (value === undefined || value === null || value === '') return null;
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
		const from = show(key, a[key], names);
		const to = show(key, b[key], names);
		if (from === to) continue;
		out.push({ step, stepLabel, field: FIELD_LABELS[key] ?? key, before: from, after: to });
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
