// The template library: ready-made templates and the organization's own (in
// folders, searchable, by channel), starting a new one blank or from another,
// folders, deleting.
import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { resolve } from '$app/paths';
import * as orgs from '$lib/server/orgs';
import * as templates from '$lib/server/templates';
import { describeError, throwHttp } from './respond.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent, url }) => {
	const { org } = await parent();
	const filter = templates.libraryFilter.parse(Object.fromEntries(url.searchParams));
	return locals
		.db(async (trx) => {
			const [lib, folders] = await Promise.all([
				templates.library(trx, org.id, filter),
				templates.folders.list(trx, org.id)
			]);
			return { filter, ...lib, folders };
		})
		.catch(throwHttp);
};

async function form(request: Request): Promise<Record<string, string>> {
	const data = await request.formData();
	return Object.fromEntries(
		[...data.entries()].filter((e): e is [string, string] => typeof e[1] === 'string')
	);
}

function failWith(e: unknown, key: 'createError' | 'folderError' | 'deleteError') {
	const known = describeError(e);
	if (!known) throw e;
	return fail(known.status, {
		[key]: known.status === 409 ? 'There is already a folder with that name.' : known.message
	});
}

export const actions: Actions = {
	create: async (event) => {
		const raw = await form(event.request);
		const parsed = templates.createInput.safeParse(
			raw.from
				? { from: raw.from, name: raw.name || undefined }
				: { channel: raw.channel, name: raw.name || undefined }
		);
		if (!parsed.success) return fail(400, { createError: parsed.error.issues[0]!.message });
		let id: string;
		try {
			id = await orgs.withOrg(event, (trx, org) => templates.create(trx, org.id, parsed.data));
		} catch (e) {
			return failWith(e, 'createError');
		}
		redirect(303, resolve('/(app)/[org=slug]/templates/[id=uuid]', { org: event.params.org, id }));
	},
	createFolder: async (event) => {
		const parsed = templates.folderInput.safeParse(await form(event.request));
		if (!parsed.success) return fail(400, { folderError: parsed.error.issues[0]!.message });
		try {
			await orgs.withOrg(event, (trx, org) =>
				templates.folders.create(trx, org.id, parsed.data.name)
			);
		} catch (e) {
			return failWith(e, 'folderError');
		}
		return { folderCreated: true };
	},
	deleteFolder: async (event) => {
		const id = z.uuid().safeParse((await form(event.request)).id);
		if (!id.success) return fail(400, { folderError: 'Pick a folder.' });
		try {
			const done = await orgs.withOrg(event, (trx, org) =>
				templates.folders.remove(trx, org.id, id.data)
			);
			if (!done) return fail(403, { folderError: 'You cannot delete that folder.' });
		} catch (e) {
			return failWith(e, 'folderError');
		}
		return { folderDeleted: true };
	},
	delete: async (event) => {
		const id = z.uuid().safeParse((await form(event.request)).id);
		if (!id.success) return fail(400, { deleteError: 'Pick a template.' });
		try {
			await orgs.withOrg(event, (trx, org) => templates.remove(trx, org.id, id.data));
		} catch (e) {
			return failWith(e, 'deleteError');
		}
		return { deleted: true };
	}
};
