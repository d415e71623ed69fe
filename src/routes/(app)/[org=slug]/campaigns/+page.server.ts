// The campaigns workspace: the list (filters in the URL, search, sort, keyset
// pages), folders (create, delete) and the way to the timeline.
import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import * as campaigns from '$lib/server/campaigns';
import * as orgs from '$lib/server/orgs';
import * as sending from '$lib/server/sending';
import { brandOptions, describeError, throwHttp } from './respond.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent, url }) => {
	const { org } = await parent();
	const filter = campaigns.listFilterSchema.parse(Object.fromEntries(url.searchParams));
	// Reads only: a read-only transaction, as PostgREST runs a GET (withRls).
	return locals
		.db(
			async (trx) => {
				const [page, folders, brands] = await Promise.all([
					campaigns.list(trx, org.id, filter),
					campaigns.folders.list(trx, org.id),
					brandOptions(trx, org.id)
				]);
				// Email campaigns show how far their sending has got.
				const emails = page.rows.filter((r) => r.kind === 'email').map((r) => r.id);
				const progress = Object.fromEntries(await sending.progressOf(trx, org.id, emails));
				return { filter, page, folders, brands, progress };
			},
			{ readOnly: true }
		)
		.catch(throwHttp);
};

const folderSchema = z.object({
	name: z.string().trim().min(1, 'Name the folder.').max(80, 'Keep it under 80 characters.')
});

export const actions: Actions = {
	createFolder: async (event) => {
		const parsed = folderSchema.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) return fail(400, { folderError: parsed.error.issues[0]!.message });
		try {
			await orgs.withOrg(event, (trx, org) =>
				campaigns.folders.create(trx, org.id, parsed.data.name)
			);
		} catch (e) {
			const known = describeError(e);
			if (!known) throw e;
			return fail(known.status, {
				folderError:
					known.status === 409 ? 'There is already a folder with that name.' : known.message
			});
		}
		return { folderCreated: true };
	},
	deleteFolder: async (event) => {
		const id = z.uuid().safeParse((await event.request.formData()).get('id'));
		if (!id.success) return fail(400, { folderError: 'Pick a folder.' });
		try {
			await orgs.withOrg(event, (trx, org) => campaigns.folders.remove(trx, org.id, id.data));
		} catch (e) {
			const known = describeError(e);
			if (!known) throw e;
			return fail(known.status, { folderError: known.message });
		}
		return { folderDeleted: true };
	}
};
