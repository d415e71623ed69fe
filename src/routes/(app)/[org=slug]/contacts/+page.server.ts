import { fail } from '@sveltejs/kit';
import { message, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import * as contacts from '$lib/server/contacts';
import { refused } from '$lib/server/db';
import * as orgs from '$lib/server/orgs';
import * as segments from '$lib/server/segments';
import type { Actions, PageServerLoad } from './$types';
import { failWith } from './respond.server';
import { bulkTagSchema, parseListParams, SORT_OPTIONS } from './schema';

const PAGE_SIZE = 50;

/** One page of the table for the URL's search, filters, sort and position. */
export const load: PageServerLoad = async ({ locals, parent, url }) => {
	const { org } = await parent();
	const params = parseListParams(url.searchParams);
	const order = SORT_OPTIONS[params.sort ?? 'newest'];
	const query = {
		search: params.q,
		status: params.status,
		tagId: params.tag,
		segmentId: params.segment,
		sort: order.sort,
		direction: order.direction,
		limit: PAGE_SIZE
	};
	const [page, tags, segmentList, cursorInvalid] = await locals.db(async (trx) => {
		const [tagList, segmentRows] = await Promise.all([
			contacts.listTags(trx, org.id),
			segments.listSegments(trx, org.id)
		]);
		try {
			return [
				await contacts.list(trx, org.id, { ...query, after: params.after }),
				tagList,
				segmentRows,
				false
			] as const;
		} catch (e) {
			// A stale or edited page link: show the first page instead.
			if (!(e instanceof contacts.InvalidCursorError)) throw e;
			return [await contacts.list(trx, org.id, query), tagList, segmentRows, true] as const;
		}
	});
	// The total and the rows' tags: after the page, so a slow count cannot hold it up.
	const [total, contactTags] = await locals.db((trx) =>
		Promise.all([
			contacts.total(trx, org.id, query),
			contacts.tagsOf(
				trx,
				org.id,
				page.items.map((c) => c.id)
			)
		])
	);
	return {
		params: cursorInvalid ? { ...params, after: undefined, trail: undefined } : params,
		contacts: page.items,
		total,
		contactTags,
		nextCursor: page.nextCursor,
		cursorInvalid,
		tags,
		segments: segmentList.map((s) => ({ id: s.id, name: s.name })),
		bulkForm: await superValidate(zod4(bulkTagSchema), { id: 'bulk', errors: false })
	};
};

export const actions: Actions = {
	/** Adds a tag to (creating it if new) or removes it from the selected contacts. */
	tags: async (event) => {
		const form = await superValidate(event.request, zod4(bulkTagSchema), { id: 'bulk' });
		if (!form.valid) return fail(400, { form });
		const { contactIds, tag, op } = form.data;
		let changed: number | null;
		try {
			changed = await orgs.withOrg(event, async (trx, org, user) => {
				// Row Level Security would quietly untag nothing; say why instead.
				if (!(await orgs.permissionsOf(trx, org.id, user.id)).includes('contacts.write'))
					return null;
				if (op === 'add') {
					const ids = (await contacts.ensureTags(trx, org.id, [tag])).map((t) => t.id);
					return contacts.addTags(trx, org.id, contactIds, ids);
				}
				const found = (await contacts.listTags(trx, org.id)).filter(
					(t) => t.name.toLowerCase() === tag.toLowerCase()
				);
				return contacts.removeTags(
					trx,
					org.id,
					contactIds,
					found.map((t) => t.id)
				);
			});
		} catch (e) {
			return failWith(form, e);
		}
		if (changed === null) return refused(form, 'You do not have permission to tag contacts.');
		const people = (n: number) => `${n} ${n === 1 ? 'contact' : 'contacts'}`;
		const text =
			op === 'add'
				? `Tagged ${people(changed)} “${tag}”${changed < contactIds.length ? ` (${people(contactIds.length - changed)} had it already)` : ''}.`
				: `Removed “${tag}” from ${people(changed)}.`;
		return message(form, { tone: 'success', text });
	}
};
