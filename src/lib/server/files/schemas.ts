// Input schemas of the files module: the asset manager's URL (folder, search,
// kind, view) and the alt-text form.
import { z } from 'zod';
import { BUCKETS, KINDS, normalizeFolder } from '../../files/paths.ts';

/** The asset manager's query string; anything unreadable falls back to the default. */
export const listQuerySchema = z.object({
	bucket: z.enum(BUCKETS).catch('org-files'),
	folder: z
		.string()
		.max(2000)
		.transform((f, ctx) => {
			const folder = normalizeFolder(f);
			if (folder === null) {
				ctx.addIssue({ code: 'custom', message: 'That folder name cannot be used.' });
				return z.NEVER;
			}
			return folder;
		})
		.catch(''),
	q: z.string().trim().max(200).catch(''),
	type: z.enum(KINDS).optional().catch(undefined),
	view: z.enum(['grid', 'list']).catch('grid')
});
export type ListQuery = z.output<typeof listQuerySchema>;

export const altTextSchema = z.object({
	id: z.uuid('Choose a file.'),
	altText: z.string().trim().max(1000, 'Keep the description under 1,000 characters.')
});
