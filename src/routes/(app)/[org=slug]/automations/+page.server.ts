import { fail, redirect } from '@sveltejs/kit';
import { superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { resolve } from '$app/paths';
import * as automations from '$lib/server/automations';
import { failFromDb } from '$lib/server/db';
import * as orgs from '$lib/server/orgs';
import type { Actions, PageServerLoad } from './$types';
import { createSchema } from './schema';

const DAY = 86_400_000;
/** Runs counted for the 7-day bars: the newest this many (a busier week shows a floor). */
const RECENT_LIMIT = 200;

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { org } = await parent();
	const today = Math.floor(Date.now() / DAY) * DAY;
	const since = new Date(today - 6 * DAY);
	const [items, recent] = await locals.db((trx) =>
		Promise.all([
			automations.list(trx, org.id),
			automations.listRuns(trx, org.id, { from: since.toISOString(), limit: RECENT_LIMIT })
		])
	);
	const daily = new Map<string, number[]>();
	for (const run of recent.items) {
		const days = daily.get(run.automationId) ?? Array.from({ length: 7 }, () => 0);
		const index = Math.floor((Date.parse(run.startedAt) - since.getTime()) / DAY);
		if (index >= 0 && index < 7) days[index]! += 1;
		daily.set(run.automationId, days);
	}
	return {
		automations: items.map((a) => ({ ...a, daily: daily.get(a.id) ?? [0, 0, 0, 0, 0, 0, 0] })),
		capped: recent.nextCursor !== null,
		createForm: await superValidate(zod4(createSchema), { id: 'create', errors: false })
	};
};

export const actions: Actions = {
	create: async (event) => {
		const form = await superValidate(event.request, zod4(createSchema), { id: 'create' });
		if (!form.valid) return fail(400, { form });
		let id: string;
		try {
			id = await orgs.withOrg(event, (trx, org) =>
				automations.create(trx, org.id, form.data, {
					trigger: { type: 'event', event: 'tag.added', match: {} },
					reentry: { mode: 'every_time' },
					start: '',
					steps: []
				})
			);
		} catch (e) {
			return failFromDb(form, e);
		}
		redirect(
			303,
			resolve('/(app)/[org=slug]/automations/[id=uuid]', { org: event.params.org, id })
		);
	}
};
