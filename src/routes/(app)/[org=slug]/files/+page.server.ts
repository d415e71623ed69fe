import { fail } from '@sveltejs/kit';
import * as files from '$lib/server/files';
import * as orgs from '$lib/server/orgs';
import type { Actions, PageServerLoad } from './$types';

/** The folder (or the search) the URL names, its subfolders and files, and the usage bar. */
export const load: PageServerLoad = async ({ locals, parent, url }) => {
	const { org } = await parent();
	const query = files.listQuerySchema.parse(Object.fromEntries(url.searchParams));
	const [listing, folders, usage] = await locals.db(async (trx) => [
		await files.list(trx, org.id, query.bucket, query.folder, {
			search: query.q,
			kind: query.type
		}),
		await files.allFolders(trx, org.id, query.bucket),
		await files.usage(trx, org.id)
	]);
	return { query, listing, folders, usage };
};

export const actions: Actions = {
	/** Saves a file's description (alt text) for screen readers and sites. */
	describe: async (event) => {
		const form = Object.fromEntries(await event.request.formData());
		const parsed = files.altTextSchema.safeParse(form);
		if (!parsed.success) {
			const issue = parsed.error.issues[0];
			return fail(400, {
				field: String(issue?.path[0] ?? 'altText'),
				message: issue?.message ?? 'Check the description.'
			});
		}
		const saved = await orgs.withOrg(event, (trx, org) =>
			files.describe(trx, org.id, parsed.data.id, parsed.data.altText)
		);
		if (!saved)
			return fail(403, {
				field: 'altText',
				message: 'You cannot describe this file (it may have been deleted).'
			});
		return { saved: parsed.data.id };
	}
};
