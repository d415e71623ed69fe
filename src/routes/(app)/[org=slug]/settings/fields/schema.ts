// Custom field forms: define one (key and type are fixed once created), change
// one, delete one. Options are typed one per line.
import { z } from 'zod';
import { Constants } from '$lib/database.types';

export const FIELD_TYPES = Constants.public.Enums.contact_field_type;
export type FieldType = (typeof FIELD_TYPES)[number];

export const FIELD_TYPE_LABELS: Record<FieldType, string> = {
	text: 'Text',
	number: 'Number',
	date: 'Date',
	boolean: 'Yes / no',
	select: 'One choice',
	multi_select: 'Several choices'
};

export const isChoice = (type: string) => type === 'select' || type === 'multi_select';

/** Options typed one per line (commas too), trimmed, without blanks. */
export function parseOptions(text: string): string[] {
	return text
		.split(/[\n,]/)
		.map((o) => o.trim())
		.filter(Boolean);
}

const optionsText = z
	.string()
	.max(20_000)
	.default('')
	.superRefine((text, ctx) => {
		const options = parseOptions(text);
		if (options.length > 200) ctx.addIssue({ code: 'custom', message: 'At most 200 options.' });
		if (options.some((o) => o.length > 100))
			ctx.addIssue({ code: 'custom', message: 'Options are at most 100 characters.' });
		if (new Set(options).size !== options.length)
			ctx.addIssue({ code: 'custom', message: 'Options must be unique.' });
	});

const label = z.string().trim().min(1, 'Name the field.').max(80, 'Use at most 80 characters.');

export const createFieldSchema = z
	.object({
		label,
		key: z
			.string()
			.trim()
			.regex(
				/^[a-z][a-z0-9_]{0,39}$/,
				'Use lower-case letters, digits and underscores, starting with a letter.'
			),
		type: z.enum(FIELD_TYPES),
		options: optionsText,
		required: z.boolean().default(false),
		indexed: z.boolean().default(false)
	})
	.superRefine((f, ctx) => {
		if (isChoice(f.type) && parseOptions(f.options).length === 0)
			ctx.addIssue({ code: 'custom', path: ['options'], message: 'Add at least one option.' });
	});

export const updateFieldSchema = z.object({
	key: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/),
	label,
	options: optionsText,
	required: z.boolean().default(false),
	indexed: z.boolean().default(false)
});

export const deleteFieldSchema = z.object({ key: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/) });

/** A key from a label: "Lifetime value (€)" → "lifetime_value". */
export function keyFromLabel(text: string): string {
	const key = text
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '_')
		.replace(/^[^a-z]+/, '')
		.replace(/_+$/, '')
		.slice(0, 40)
		.replace(/_+$/, '');
	return key;
}
