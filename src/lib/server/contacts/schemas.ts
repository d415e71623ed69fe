// Input schemas of the contacts module (forms and endpoints validate with
// these, services parse with them again).
import { z } from 'zod';
import { Constants } from '../../database.types.ts';
import { shallow } from '../../json-bounds.ts';
import { ruleSchema } from '../segments/rules.ts';

const optionalText = (max: number) =>
	z
		.string()
		.trim()
		.max(max)
		.transform((s) => (s === '' ? null : s))
		.nullable()
		.optional();

/** Custom values by key; null or '' clears a value. Types are checked against the definitions. */
const customValues = z.record(
	z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'Unknown custom field.'),
	z.union([z.string().max(2000), z.number().finite(), z.boolean(), z.array(z.string()), z.null()])
);

export const contactInputSchema = z.object({
	email: z
		.email('Enter a valid email address.')
		.max(254)
		.nullable()
		.optional()
		.or(z.literal('').transform(() => null)),
	phone: optionalText(25).refine((p) => p == null || /^\+?[0-9 ().-]{5,25}$/.test(p), {
		message: 'Enter a valid phone number.'
	}),
	firstName: optionalText(100),
	lastName: optionalText(100),
	company: optionalText(200),
	source: z.string().trim().min(1).max(50).optional(),
	status: z.enum(Constants.public.Enums.contact_status).optional(),
	custom: customValues.optional()
});
export type ContactInput = z.input<typeof contactInputSchema>;

export const FIELD_TYPES = Constants.public.Enums.contact_field_type;

export const fieldInputSchema = z
	.object({
		key: z
			.string()
			.regex(
				/^[a-z][a-z0-9_]{0,39}$/,
				'Use lower-case letters, digits and underscores, starting with a letter.'
			),
		label: z.string().trim().min(1).max(80),
		type: z.enum(FIELD_TYPES, { error: `Choose one of: ${FIELD_TYPES.join(', ')}.` }),
		options: z.array(z.string().trim().min(1).max(100)).max(200).default([]),
		required: z.boolean().default(false),
		indexed: z.boolean().default(false),
		position: z.number().int().min(0).max(10000).default(0)
	})
	.superRefine((f, ctx) => {
		const choice = f.type === 'select' || f.type === 'multi_select';
		if (choice && f.options.length === 0)
			ctx.addIssue({ code: 'custom', path: ['options'], message: 'Add at least one option.' });
		if (!choice && f.options.length > 0)
			ctx.addIssue({
				code: 'custom',
				path: ['options'],
				message: 'Only choice fields have options.'
			});
		if (new Set(f.options).size !== f.options.length)
			ctx.addIssue({ code: 'custom', path: ['options'], message: 'Options must be unique.' });
	});
export type FieldInput = z.input<typeof fieldInputSchema>;

export const fieldUpdateSchema = z.object({
	label: z.string().trim().min(1).max(80).optional(),
	options: z.array(z.string().trim().min(1).max(100)).max(200).optional(),
	required: z.boolean().optional(),
	indexed: z.boolean().optional(),
	position: z.number().int().min(0).max(10000).optional()
});
export type FieldUpdate = z.input<typeof fieldUpdateSchema>;

export const tagInputSchema = z.object({
	name: z.string().trim().min(1).max(50),
	color: z
		.string()
		.regex(/^#[0-9a-f]{6}$/)
		.optional()
});

export const SORTS = ['created_at', 'updated_at', 'name', 'email'] as const;

export const listQuerySchema = z.object({
	/** Matches names, email, phone and company (trigram; 3+ characters use the index). */
	search: z.string().trim().max(200).optional(),
	status: z.enum(Constants.public.Enums.contact_status).optional(),
	tagId: z.uuid().optional(),
	segmentId: z.uuid().optional(),
	/** An ad-hoc rule tree (same language as segments), for filtered views. */
	rules: shallow(ruleSchema, 'The rules nest too deep.').optional(),
	sort: z.enum(SORTS).default('created_at'),
	direction: z.enum(['asc', 'desc']).default('desc'),
	/** The opaque cursor of the previous page's last row. */
	after: z.string().max(1000).optional(),
	limit: z.number().int().min(1).max(200).default(50)
});
export type ListQuery = z.input<typeof listQuerySchema>;

export const consentInputSchema = z.object({
	channel: z.enum(Constants.public.Enums.consent_channel),
	status: z.enum(Constants.public.Enums.consent_status),
	source: z.string().trim().min(1).max(200)
});
export type ConsentInput = z.input<typeof consentInputSchema>;
