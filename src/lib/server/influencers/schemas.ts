// Zod schemas of the influencer CRM, shared by loads, actions and the services.
import { z } from 'zod';
import { PLATFORMS, STATUSES, type SocialPlatform } from '../../influencers/pipeline.ts';

const optionalText = (max: number, message: string) =>
	z
		.string()
		.trim()
		.max(max, message)
		.transform((v) => (v === '' ? null : v));

/** Tags typed as "Beauty, Travel": trimmed, blanks dropped (the database removes duplicates). */
export const tagsText = z
	.string()
	.max(2000, 'Keep tags under 2,000 characters.')
	.transform((v) =>
		v
			.split(',')
			.map((t) => t.trim())
			.filter(Boolean)
	)
	.pipe(
		z.array(z.string().max(40, 'A tag has at most 40 characters.')).max(30, 'Use at most 30 tags.')
	);

const handleText = z
	.string()
	.trim()
	.transform((v) => v.replace(/^@+/, ''))
	.pipe(
		z
			.string()
			.max(100, 'A handle has at most 100 characters.')
			.regex(/^[^\s@/]*$/, 'Type the handle without spaces or slashes, e.g. @jade.rivers.')
	);

/** The record's form: details, contact, owner, tags, notes and one handle per platform. */
export const influencerForm = z.object({
	name: z
		.string()
		.trim()
		.min(1, 'Give the influencer a name.')
		.max(120, 'Keep the name under 120 characters.'),
	email: z
		.string()
		.trim()
		.max(254)
		.refine((v) => v === '' || z.email().safeParse(v).success, 'Type a valid email address.')
		.transform((v) => (v === '' ? null : v.toLowerCase())),
	phone: optionalText(30, 'Keep the phone number under 30 characters.').refine(
		(v) => v === null || /^\+?[0-9][0-9 ().-]{3,28}[0-9]$/.test(v),
		'Type a phone number with digits, e.g. +44 20 7946 0000.'
	),
	notes: z.string().max(10000, 'Keep notes under 10,000 characters.').default(''),
	ownerId: z.union([z.uuid(), z.literal('')]).transform((v) => (v === '' ? null : v)),
	tags: tagsText,
	handle_instagram: handleText.default(''),
	handle_tiktok: handleText.default(''),
	handle_youtube: handleText.default(''),
	handle_twitch: handleText.default(''),
	handle_x: handleText.default(''),
	handle_linkedin: handleText.default(''),
	handle_facebook: handleText.default(''),
	handle_pinterest: handleText.default(''),
	handle_snapchat: handleText.default('')
});
export type InfluencerInput = z.infer<typeof influencerForm>;

/** The handles of a form, platform by platform (blank: none on that platform). */
export function handlesOf(input: InfluencerInput): { platform: SocialPlatform; handle: string }[] {
	return PLATFORMS.flatMap((platform) => {
		const handle = input[`handle_${platform}`];
		return handle ? [{ platform, handle }] : [];
	});
}

export const statusSchema = z.enum(STATUSES);

/** A card moved on the board: into a column, after a card (none: the top). */
export const moveForm = z.object({
	id: z.uuid('Pick an influencer.'),
	status: statusSchema,
	after: z.union([z.uuid(), z.literal('')]).transform((v) => (v === '' ? null : v))
});

export const BULK_LIMIT = 500;

/** A bulk action on the rows ticked in the table. */
export const bulkForm = z.discriminatedUnion('action', [
	z.object({ action: z.literal('status'), status: statusSchema }),
	z.object({
		action: z.literal('owner'),
		ownerId: z.union([z.uuid(), z.literal('')]).transform((v) => (v === '' ? null : v))
	}),
	z.object({
		action: z.literal('tag'),
		tag: z
			.string()
			.trim()
			.min(1, 'Type the tag to add.')
			.max(40, 'A tag has at most 40 characters.')
	}),
	z.object({ action: z.literal('delete'), confirm: z.literal('yes', 'Confirm the deletion.') })
]);
export type BulkAction = z.infer<typeof bulkForm>;

export const bulkIds = z
	.array(z.uuid('Pick influencers from the list.'))
	.min(1, 'Tick at least one influencer.')
	.max(BULK_LIMIT, `Pick at most ${BULK_LIMIT} influencers at a time.`);

/** An outreach email from the record: a template and the subject to send with. */
export const outreachForm = z.object({
	templateId: z.uuid('Choose a template.'),
	subject: z
		.string()
		.trim()
		.min(1, 'Write a subject.')
		.max(300, 'Keep the subject under 300 characters.')
});
