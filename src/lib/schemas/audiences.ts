// Audience fields, shared by the form, the action and the campaign wizard's
// audience step. Lists are arrays of codes (ISO 3166-1 countries, ISO 639-1
// languages, taxonomy keys); regions and cities are typed as comma-separated
// text and split here. The database checks the same rules.
import { z } from 'zod';
import { Constants } from '$lib/database.types';
import { COUNTRIES, LANGUAGES } from '$lib/iso';

export const AGE_RANGES = Constants.public.Enums.audience_age_range;
export const GENDERS = Constants.public.Enums.audience_gender;
export const CHANNELS = Constants.public.Enums.consent_channel;

export const GENDER_WORDS: Record<(typeof GENDERS)[number], string> = {
	female: 'Women',
	male: 'Men',
	non_binary: 'Non-binary people'
};
export const CHANNEL_WORDS: Record<(typeof CHANNELS)[number], string> = {
	email: 'Email',
	sms: 'SMS',
	whatsapp: 'WhatsApp'
};

const REGION = /^[A-Z]{2}-[A-Z0-9]{1,3}$/;
const countries = new Set<string>(COUNTRIES);

/** "FR-IDF, us-ca" → ["FR-IDF", "US-CA"] (trimmed, upper-cased, no blanks or repeats). */
export function splitList(text: string, upper = false): string[] {
	const items = text
		.split(/[,\n]/)
		.map((s) => s.trim())
		.filter(Boolean)
		.map((s) => (upper ? s.toUpperCase() : s));
	return [...new Set(items)];
}

const unique = <T>(items: T[]) => new Set(items).size === items.length;

export const audienceSchema = z
	.object({
		name: z.string().trim().min(1, 'Name the audience.').max(100, 'Use at most 100 characters.'),
		description: z.string().trim().max(500, 'Keep the description under 500 characters.'),
		ageRanges: z.array(z.enum(AGE_RANGES, 'Pick ages from the list.')).max(AGE_RANGES.length),
		genders: z.array(z.enum(GENDERS, 'Pick genders from the list.')).max(GENDERS.length),
		countries: z
			.array(z.enum(COUNTRIES, 'Pick countries from the list.'))
			.max(COUNTRIES.length)
			.refine(unique, 'A country is listed twice.'),
		regions: z
			.string()
			.max(2000, 'That is too many regions.')
			.refine(
				(v) => splitList(v, true).every((r) => REGION.test(r) && countries.has(r.slice(0, 2))),
				'Use ISO region codes like FR-IDF or US-CA, separated by commas.'
			)
			.refine((v) => splitList(v, true).length <= 100, 'List at most 100 regions.'),
		cities: z
			.string()
			.max(5000, 'That is too many cities.')
			.refine(
				(v) => splitList(v).every((c) => c.length <= 100),
				'A city name is at most 100 characters.'
			)
			.refine((v) => splitList(v).length <= 100, 'List at most 100 cities.'),
		languages: z
			.array(z.enum(LANGUAGES, 'Pick languages from the list.'))
			.max(LANGUAGES.length)
			.refine(unique, 'A language is listed twice.'),
		interests: z
			.array(z.string().regex(/^[a-z_]+(\.[a-z_]+)?$/, 'Pick interests from the list.'))
			.max(100, 'Pick at most 100 interests.')
			.refine(unique, 'An interest is listed twice.'),
		includeSegments: z
			.array(z.uuid('Pick segments from the list.'))
			.max(50, 'Include at most 50 segments.'),
		excludeSegments: z
			.array(z.uuid('Pick segments from the list.'))
			.max(50, 'Exclude at most 50 segments.')
	})
	.superRefine((v, ctx) => {
		const excluded = new Set(v.excludeSegments);
		if (v.includeSegments.some((id) => excluded.has(id)))
			ctx.addIssue({
				code: 'custom',
				path: ['excludeSegments'],
				message: 'A segment cannot be both included and excluded.'
			});
	});
export type AudienceInput = z.infer<typeof audienceSchema>;

/** The live reach question: which segments, on which channel. */
export const reachRequestSchema = z.object({
	include: z.array(z.uuid()).max(50),
	exclude: z.array(z.uuid()).max(50),
	channel: z.enum(CHANNELS)
});

/** The wizard's live count of several saved audiences together. */
export const audiencesReachRequestSchema = z.object({
	audiences: z.array(z.uuid()).min(1).max(50),
	channel: z.enum(CHANNELS)
});
