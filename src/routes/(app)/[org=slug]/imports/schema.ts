// The import wizard's forms: starting a run (mapping and options), cancelling,
// discarding a draft.
import { z } from 'zod';

/** How the tags of a Tags column are separated; the export writes "; ". */
export const TAG_SEPARATORS = {
	';': 'Semicolons (a; b)',
	',': 'Commas (a, b)',
	'|': 'Vertical bars (a | b)'
} as const;
export type TagSeparator = keyof typeof TAG_SEPARATORS;

export const ENCODINGS = {
	'utf-8': 'UTF-8',
	'windows-1252': 'Windows (Excel, Western)',
	'utf-16le': 'UTF-16 LE',
	'utf-16be': 'UTF-16 BE'
} as const;
export type Encoding = keyof typeof ENCODINGS;

const target = z
	.string()
	.regex(
		/^(|email|phone|first_name|last_name|company|status|full_name|tags|custom\.[a-z][a-z0-9_]{0,39})$/,
		'Choose a contact field or skip the column.'
	);

/** Tag names typed for the batch: "VIP, Spring fair". */
export function parseTagNames(text: string): string[] {
	return [
		...new Set(
			text
				.split(',')
				.map((t) => t.trim())
				.filter(Boolean)
		)
	];
}

export const startImportFormSchema = z.object({
	/** One per column, in order; '' skips the column. */
	mapping: z.array(target).min(1).max(500),
	tags: z
		.string()
		.max(1100)
		.default('')
		.refine((t) => parseTagNames(t).length <= 20, 'At most 20 tags.')
		.refine(
			(t) => parseTagNames(t).every((n) => n.length <= 50),
			'Tags are at most 50 characters.'
		),
	existing: z.enum(['update', 'skip']).default('update'),
	badRows: z.enum(['skip', 'stop']).default('skip'),
	tagSeparator: z
		.enum(Object.keys(TAG_SEPARATORS) as [TagSeparator, ...TagSeparator[]])
		.default(';'),
	encoding: z.enum(Object.keys(ENCODINGS) as [Encoding, ...Encoding[]]),
	format: z.enum(['csv', 'tsv'])
});
export type StartImportForm = z.infer<typeof startImportFormSchema>;

export const noFieldsSchema = z.object({});

type Job = {
	status: string;
	mapping: (string | null)[];
	encoding: Encoding;
	format: 'csv' | 'tsv';
	options: {
		skipInvalidRows?: boolean;
		updateExisting?: boolean;
		tagIds?: string[];
		tagSeparator?: TagSeparator;
	};
};

/**
 * Where the wizard's form starts: a draft (or a file read another way) from
 * the suggested mapping, a failed or cancelled run from what it ran with.
 */
export function startFormValues(
	job: Job,
	preview: { headers: string[]; suggestedMapping: (string | null)[] } | null,
	tags: { id: string; name: string }[],
	chosen: { encoding?: Encoding; format?: 'csv' | 'tsv' }
): StartImportForm {
	const fresh =
		preview !== null && (job.status === 'draft' || job.mapping.length !== preview.headers.length);
	const names = new Map(tags.map((t) => [t.id, t.name]));
	return {
		mapping: (fresh ? preview.suggestedMapping : job.mapping).map((t) => t ?? ''),
		tags: (job.options.tagIds ?? [])
			.map((id) => names.get(id))
			.filter(Boolean)
			.join(', '),
		existing: job.options.updateExisting === false ? 'skip' : 'update',
		badRows: job.status === 'draft' || job.options.skipInvalidRows ? 'skip' : 'stop',
		tagSeparator: job.options.tagSeparator ?? ';',
		encoding: chosen.encoding ?? job.encoding,
		format: chosen.format ?? job.format
	};
}
