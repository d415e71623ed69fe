// The campaign wizard's audience, products and creative sections: the JSON
// each step saves (save_campaign_section) and the same zod schema checks on
// client and server. On submission the database applies them to
// campaign_audiences, campaign_products and creative_requirements
// (private.apply_campaign_brief), with the same bounds as these schemas.
import { z } from 'zod';

export const DELIVERABLES = {
	post: 'Feed post',
	story: 'Story',
	reel: 'Reel',
	short_video: 'Short video',
	long_video: 'Long video',
	live: 'Live stream',
	photo: 'Photo',
	carousel: 'Carousel',
	blog_post: 'Blog post',
	email: 'Email',
	sms: 'SMS',
	whatsapp: 'WhatsApp message',
	banner: 'Banner',
	other: 'Other'
} as const;

export const PLATFORMS = {
	instagram: 'Instagram',
	tiktok: 'TikTok',
	youtube: 'YouTube',
	facebook: 'Facebook',
	x: 'X',
	linkedin: 'LinkedIn',
	pinterest: 'Pinterest',
	snapchat: 'Snapchat',
	twitch: 'Twitch',
	blog: 'Blog',
	email: 'Email',
	sms: 'SMS',
	whatsapp: 'WhatsApp',
	website: 'Website',
	other: 'Other'
} as const;

export const FILE_KINDS = { image: 'Images', video: 'Videos', audio: 'Audio', pdf: 'PDF' } as const;

const keys = <T extends Record<string, string>>(o: T) =>
	Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];

export const audienceSectionSchema = z.object({
	audience_ids: z
		.array(z.uuid('Pick audiences from the list.'))
		.max(20, 'Target at most 20 audiences.')
		.refine((ids) => new Set(ids).size === ids.length, 'An audience is picked twice.')
});
export type AudienceSection = z.infer<typeof audienceSectionSchema>;

export const productLineSchema = z.object({
	product_id: z.uuid('Pick a product from the catalogue.'),
	quantity: z.coerce
		.number('Enter a quantity.')
		.int('A quantity is a whole number.')
		.min(1, 'A quantity is at least 1.')
		.max(1_000_000, 'A quantity is at most 1,000,000.'),
	discount_percent: z.coerce
		.number('Enter a discount (0 for none).')
		.min(0, 'A discount cannot be negative.')
		.max(100, 'A discount is at most 100%.')
		.refine((v) => Number.isInteger(v * 100), 'Use at most two decimals.')
});
export const productsSectionSchema = z.object({
	lines: z
		.array(productLineSchema)
		.max(200, 'A campaign lists at most 200 products.')
		.refine(
			(lines) => new Set(lines.map((l) => l.product_id)).size === lines.length,
			'A product is listed twice: change its quantity instead.'
		)
});
export type ProductsSection = z.infer<typeof productsSectionSchema>;

const hashtag = /^#[\p{L}\p{N}_]{1,100}$/u;
const mention = /^@[A-Za-z0-9._]{1,100}$/;

export const requirementSchema = z.object({
	id: z.uuid(),
	deliverable: z.enum(keys(DELIVERABLES), 'Pick what to deliver.'),
	platform: z.enum(keys(PLATFORMS), 'Pick a platform.'),
	format: z.string().trim().max(60, 'Describe the format in at most 60 characters.'),
	count: z.coerce.number().int().min(1, 'Ask for at least 1.').max(100, 'Ask for at most 100.'),
	due_on: z
		.string()
		.regex(/^(\d{4}-\d{2}-\d{2})?$/, 'Pick a date.')
		.refine((v) => v === '' || !Number.isNaN(Date.parse(v)), 'Pick a real date.'),
	guidelines: z.string().max(5000, 'Keep the guidelines under 5,000 characters.'),
	hashtags: z
		.array(z.string().regex(hashtag, 'Hashtags start with # and have no spaces.'))
		.max(30, 'Use at most 30 hashtags.'),
	mentions: z
		.array(z.string().regex(mention, 'Mentions start with @ and have no spaces.'))
		.max(30, 'Use at most 30 mentions.'),
	accepted_kinds: z.array(z.enum(keys(FILE_KINDS))).max(4)
});
export const creativeSectionSchema = z.object({
	requirements: z.array(requirementSchema).max(100, 'A brief has at most 100 requirements.')
});
export type Requirement = z.infer<typeof requirementSchema>;
export type CreativeSection = z.infer<typeof creativeSectionSchema>;

/** "#spring, trailrun" → ["#spring", "#trailrun"]: items split on commas or spaces, the sign added. */
export function splitTags(text: string, sign: '#' | '@'): string[] {
	return [
		...new Set(
			text
				.split(/[,\s]+/)
				.map((t) => t.trim())
				.filter(Boolean)
				.map((t) => (t.startsWith(sign) ? t : `${sign}${t}`))
		)
	];
}

/** A new, empty requirement (its id is made here so the database keeps it across versions). */
export function newRequirement(): Requirement {
	return {
		id: crypto.randomUUID(),
		deliverable: 'post',
		platform: 'instagram',
		format: '',
		count: 1,
		due_on: '',
		guidelines: '',
		hashtags: [],
		mentions: [],
		accepted_kinds: []
	};
}
