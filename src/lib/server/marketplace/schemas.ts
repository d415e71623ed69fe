// The marketplace search's filters and the runs list's query, shared by the
// pages' load functions and the services (empty fields are no filter).
import { z } from 'zod';
import { Constants } from '$lib/database.types';

export const PLATFORMS = Constants.public.Enums.social_platform;
export const RUN_STATUSES = Constants.public.Enums.data_run_status;
export const SORTS = ['followers', 'engagement'] as const;

const count = z.coerce.number().int().min(0).max(10_000_000_000);
const percent = z.coerce.number().min(0).max(100);
const code = (re: RegExp) =>
	z
		.string()
		.trim()
		.transform((s) => s.toUpperCase())
		.pipe(z.string().regex(re));

/** A search of the marketplace (from the query string). */
export const searchSchema = z
	.object({
		platform: z.enum(PLATFORMS).optional(),
		minFollowers: count.optional(),
		maxFollowers: count.optional(),
		/** Engagement in percent as people type it (3.5 = 3.5 %). */
		minEngagement: percent.optional(),
		maxEngagement: percent.optional(),
		country: code(/^[A-Z]{2}$/).optional(),
		language: z
			.string()
			.trim()
			.toLowerCase()
			.regex(/^[a-z]{2}$/)
			.optional(),
		category: z.string().trim().toLowerCase().min(1).max(60).optional(),
		audienceCountry: code(/^[A-Z]{2}$/).optional(),
		sort: z.enum(SORTS).default('followers'),
		after: z.string().max(300).optional()
	})
	.refine(
		(f) =>
			f.minFollowers === undefined ||
			f.maxFollowers === undefined ||
			f.minFollowers <= f.maxFollowers,
		{
			path: ['maxFollowers'],
			message: 'The most followers must be at least the fewest.'
		}
	)
	.refine(
		(f) =>
			f.minEngagement === undefined ||
			f.maxEngagement === undefined ||
			f.minEngagement <= f.maxEngagement,
		{ path: ['maxEngagement'], message: 'The highest engagement must be at least the lowest.' }
	);
export type Search = z.infer<typeof searchSchema>;

export const runsQuerySchema = z.object({
	run: z.uuid().optional().catch(undefined),
	after: z.string().max(300).optional()
});
