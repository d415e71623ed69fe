// The campaign wizard's steps and the zod schema of each, shared by the page
// (validated as people type) and the server (validated again on Next and on
// submit). A section is saved as typed, valid or not (a half-filled form is a
// draft); a step is "done" when its schema accepts it. The database checks its
// own rules again on submission (dates in order, known currency, budget
// bounds), whoever calls it.
//
// Audience, creative brief and products use the catalog module's section
// schemas ($lib/schemas/campaign-brief): a message campaign must say whom it
// reaches (at least one audience), an influencer campaign what creators
// deliver (at least one requirement); products are optional.
import { z } from 'zod';
import { creativeFromForm, productsFromForm } from '../campaign-brief-form.ts';
import {
	audienceSectionSchema,
	creativeSectionSchema,
	productsSectionSchema
} from '../schemas/campaign-brief.ts';
import { CURRENCIES } from '../currencies.ts';
import type { Database } from '../database.types.ts';

export type CampaignKind = Database['public']['Enums']['campaign_kind'];
export type CampaignStatus = Database['public']['Enums']['campaign_status'];
export type SectionKey = 'basics' | 'objective' | 'budget' | 'audience' | 'creative' | 'products';
export type StepKey = SectionKey | 'review';

export type StepSpec = {
	key: StepKey;
	label: string;
	/** Kinds that have this step (all when absent). */
	kinds?: readonly CampaignKind[];
};

export const STEPS: readonly StepSpec[] = [
	{ key: 'basics', label: 'Basics' },
	{ key: 'objective', label: 'Objective & KPIs' },
	{ key: 'budget', label: 'Budget & dates' },
	{ key: 'audience', label: 'Audience' },
	// Creators deliver to a brief; a message campaign's content is its template.
	{ key: 'creative', label: 'Creative brief', kinds: ['influencer'] },
	{ key: 'products', label: 'Products', kinds: ['influencer'] },
	{ key: 'review', label: 'Review & submit' }
];

export const KIND_LABELS: Record<CampaignKind, string> = {
	influencer: 'Influencer',
	email: 'Email',
	sms: 'SMS',
	whatsapp: 'WhatsApp'
};

export const STATUS_LABELS: Record<CampaignStatus, string> = {
	draft: 'Draft',
	scheduled: 'Scheduled',
	active: 'Running',
	completed: 'Completed',
	cancelled: 'Cancelled'
};

/** The steps a kind of campaign shows, in order. */
export function stepsFor(kind: CampaignKind): StepSpec[] {
	return STEPS.filter((s) => !s.kinds || s.kinds.includes(kind));
}

export function isStep(kind: CampaignKind, key: string): key is StepKey {
	return stepsFor(kind).some((s) => s.key === key);
}

export function neighbours(
	kind: CampaignKind,
	key: StepKey
): { previous: StepKey | null; next: StepKey | null } {
	const steps = stepsFor(kind);
	const i = steps.findIndex((s) => s.key === key);
	return { previous: steps[i - 1]?.key ?? null, next: steps[i + 1]?.key ?? null };
}

export const KPI_METRICS = {
	reach: 'Reach',
	impressions: 'Impressions',
	engagements: 'Engagements',
	clicks: 'Clicks',
	conversions: 'Conversions',
	sales: 'Sales',
	revenue: 'Revenue',
	new_followers: 'New followers',
	content_pieces: 'Content pieces',
	opens: 'Opens',
	replies: 'Replies',
	signups: 'Sign-ups'
} as const;
export type KpiMetric = keyof typeof KPI_METRICS;

/** The largest budget the database accepts, in any currency. */
export const MAX_BUDGET = 10_000_000_000;

const amount = (what: string) =>
	z
		.string()
		.trim()
		.min(1, `Enter ${what}.`)
		.regex(/^\d{1,12}(\.\d{1,4})?$/, `Enter ${what} as a number, like 1500 or 1500.50.`)
		.refine(
			(v) => Number(v) <= MAX_BUDGET,
			`${what[0]!.toUpperCase()}${what.slice(1)} is over 10,000,000,000.`
		);

/** A wall-clock date and time as the datetime-local input gives it. */
const localDateTime = (what: string) =>
	z
		.string()
		.trim()
		.min(1, `Pick ${what}.`)
		.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, `Pick ${what}.`)
		.refine((v) => !Number.isNaN(Date.parse(`${v}:00Z`)), `That is not a real date.`);

export const basicsSchema = z.object({
	name: z
		.string()
		.trim()
		.min(1, 'Give the campaign a name.')
		.max(120, 'Keep the name under 120 characters.'),
	description: z.string().trim().max(2000, 'Keep the description under 2,000 characters.'),
	brand_id: z.uuid('Pick the brand this campaign is for.')
});

export const kpiSchema = z.object({
	metric: z.enum(Object.keys(KPI_METRICS) as [KpiMetric, ...KpiMetric[]], 'Pick a metric.'),
	target: z.coerce
		.number('Enter a target as a number.')
		.positive('A target is more than zero.')
		.max(1_000_000_000_000, 'That target is too large.')
});

export const objectiveSchema = z.object({
	objective: z
		.string()
		.trim()
		.min(1, 'Say what this campaign should achieve.')
		.max(2000, 'Keep the objective under 2,000 characters.'),
	kpis: z
		.array(kpiSchema)
		.min(1, 'Add at least one KPI.')
		.max(12, 'At most 12 KPIs.')
		.refine(
			(kpis) => new Set(kpis.map((k) => k.metric)).size === kpis.length,
			'Each metric can have one target only.'
		)
});

export const budgetLineSchema = z.object({
	label: z.string().trim().min(1, 'Name this line.').max(100, 'Keep it under 100 characters.'),
	amount: amount('an amount')
});

export const budgetSchema = z
	.object({
		amount: amount('a budget'),
		currency: z.enum(CURRENCIES, 'Pick a currency from the list.'),
		time_zone: z.string().min(1, 'Pick a time zone.').max(64),
		starts_at: localDateTime('a start'),
		ends_at: localDateTime('an end'),
		lines: z.array(budgetLineSchema).max(50, 'At most 50 budget lines.')
	})
	.superRefine((b, ctx) => {
		if (b.starts_at && b.ends_at && b.ends_at <= b.starts_at)
			ctx.addIssue({
				code: 'custom',
				path: ['ends_at'],
				message: 'The end must come after the start.'
			});
		const total = b.lines.reduce((sum, l) => sum + (Number(l.amount) || 0), 0);
		if (total > Number(b.amount))
			ctx.addIssue({
				code: 'custom',
				path: ['lines'],
				message: `The lines add up to ${total.toLocaleString('en')}, more than the budget.`
			});
	});

/** Message campaigns (email, SMS, WhatsApp) send to contacts: they need an audience. */
export const isMessageKind = (
	kind: CampaignKind | undefined
): kind is Exclude<CampaignKind, 'influencer'> =>
	kind === 'email' || kind === 'sms' || kind === 'whatsapp';

const messageAudienceSchema = audienceSectionSchema.refine((a) => a.audience_ids.length > 0, {
	path: ['audience_ids'],
	message: 'Pick at least one audience: who receives this campaign.'
});

const briefSchema = creativeSectionSchema.refine((c) => c.requirements.length > 0, {
	path: ['requirements'],
	message: 'Add at least one requirement: what creators should deliver.'
});

export const SECTION_SCHEMAS: Record<SectionKey, z.ZodType> = {
	basics: basicsSchema,
	objective: objectiveSchema,
	budget: budgetSchema,
	audience: audienceSectionSchema,
	creative: briefSchema,
	products: productsSectionSchema
};

/** The schema a section is checked with; a message campaign's audience is required. */
export function schemaOf(section: SectionKey, kind?: CampaignKind): z.ZodType {
	if (section === 'audience' && isMessageKind(kind)) return messageAudienceSchema;
	return SECTION_SCHEMAS[section];
}

export type Problem = { step: SectionKey; label: string; field: string; message: string };

/** Field problems of one section: path ('kpis.0.target') → first message. */
export function sectionErrors(
	section: SectionKey,
	data: unknown,
	kind?: CampaignKind
): Record<string, string> {
	// A step never opened is judged as its empty form (messages say what to fill in).
	const filled = { ...emptySection(section), ...((data ?? {}) as Record<string, unknown>) };
	const result = schemaOf(section, kind).safeParse(filled);
	if (result.success) return {};
	const errors: Record<string, string> = {};
	for (const issue of result.error.issues) {
		const path = issue.path.join('.') || '_';
		errors[path] ??= issue.message;
	}
	return errors;
}

/** What stops a campaign from being submitted: every problem of every step of its kind. */
export function problemsOf(
	kind: CampaignKind,
	sections: Partial<Record<SectionKey, unknown>>
): Problem[] {
	const out: Problem[] = [];
	for (const step of stepsFor(kind)) {
		if (step.key === 'review') continue;
		const key = step.key;
		for (const [field, message] of Object.entries(sectionErrors(key, sections[key], kind)))
			out.push({ step: key, label: step.label, field, message });
	}
	return out;
}

/** Rows of a repeated group posted as `kpis.0.metric`, `kpis.0.target`, …; blank rows dropped. */
function rows(form: FormData, group: string, fields: readonly string[]): Record<string, string>[] {
	const byIndex = new Map<number, Record<string, string>>();
	for (const [key, value] of form.entries()) {
		const match = new RegExp(`^${group}\\.(\\d{1,2})\\.(\\w+)$`).exec(key);
		if (!match || typeof value !== 'string' || !fields.includes(match[2]!)) continue;
		const index = Number(match[1]);
		const row = byIndex.get(index) ?? {};
		row[match[2]!] = value;
		byIndex.set(index, row);
	}
	return [...byIndex.entries()]
		.sort(([a], [b]) => a - b)
		.map(([, row]) => row)
		.filter((row) => Object.values(row).some((v) => v.trim() !== ''));
}

const field = (form: FormData, name: string): string => {
	const value = form.get(name);
	return typeof value === 'string' ? value : '';
};

/** A step's form as the section it saves (what was typed, valid or not). */
export function sectionFromForm(section: SectionKey, form: FormData): Record<string, unknown> {
	switch (section) {
		case 'basics':
			return {
				name: field(form, 'name'),
				description: field(form, 'description'),
				brand_id: field(form, 'brand_id')
			};
		case 'objective':
			return {
				objective: field(form, 'objective'),
				kpis: rows(form, 'kpis', ['metric', 'target'])
			};
		case 'budget':
			return {
				amount: field(form, 'amount'),
				currency: field(form, 'currency'),
				time_zone: field(form, 'time_zone'),
				starts_at: field(form, 'starts_at'),
				ends_at: field(form, 'ends_at'),
				lines: rows(form, 'lines', ['label', 'amount'])
			};
		case 'audience':
			return {
				audience_ids: [
					...new Set(form.getAll('audience_ids').filter((v): v is string => typeof v === 'string'))
				]
			};
		case 'products':
			return productsFromForm(form);
		case 'creative':
			return creativeFromForm(form);
	}
}

/** An empty section as a new step form starts. */
export function emptySection(section: SectionKey): Record<string, unknown> {
	switch (section) {
		case 'basics':
			return { name: '', description: '', brand_id: '' };
		case 'objective':
			return { objective: '', kpis: [] };
		case 'budget':
			return { amount: '', currency: '', time_zone: '', starts_at: '', ends_at: '', lines: [] };
		case 'audience':
			return { audience_ids: [] };
		case 'creative':
			return { requirements: [] };
		case 'products':
			return { lines: [] };
	}
}
