// A campaign's overview: status with the moves the database allows, dates,
// budget, KPIs, folder, the audiences it targets (with their reach on a
// message campaign's channel), the creative brief's progress per requirement,
// its products with line and campaign totals, versions (and what changed
// between two), activity.
import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { resolve } from '$app/paths';
import { audienceSummary } from '$lib/campaigns/audience-summary';
import { diffSnapshots } from '$lib/campaigns/diff';
import { isMessageKind } from '$lib/campaigns/steps';
import * as audiences from '$lib/server/audiences';
import * as campaigns from '$lib/server/campaigns';
import * as orgs from '$lib/server/orgs';
import { describeError, diffNames, throwHttp } from '../respond.server';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async ({ locals, parent, params, url }) => {
	const { org } = await parent();
	return locals
		.db(async (trx) => {
			const campaign = await campaigns.get(trx, org.id, params.id);
			const [
				versions,
				lines,
				kpis,
				activity,
				folders,
				names,
				targeted,
				products,
				totals,
				creatives
			] = await Promise.all([
				campaigns.history.submissions(trx, org.id, params.id),
				campaigns.history.budgetLines(trx, org.id, params.id),
				campaigns.history.kpis(trx, org.id, params.id),
				campaigns.history.activity(trx, org.id, params.id),
				campaigns.folders.list(trx, org.id),
				diffNames(trx, org.id),
				campaigns.brief.audiences(trx, org.id, params.id),
				campaigns.brief.products(trx, org.id, params.id),
				campaigns.brief.productTotals(trx, org.id, params.id),
				campaigns.brief.creativeProgress(trx, org.id, params.id)
			]);
			// A message campaign's reach on its channel, per audience and in
			// total (with consent; a contact in two audiences counted once).
			const [reach, totalReach] = isMessageKind(campaign.kind)
				? await Promise.all([
						audiences.reachOf(
							trx,
							org.id,
							targeted.map((a) => a.id),
							campaign.kind
						),
						audiences.campaignReach(trx, campaign.id, campaign.kind)
					])
				: [null, null];
			const people = await campaigns.history.people(trx, [
				campaign.ownerId,
				...activity.map((a) => a.actorId),
				...versions.map((v) => v.submittedBy)
			]);
			// Compare two versions: ?from=1&to=2 (by default the last two).
			const from = Number(url.searchParams.get('from')) || versions[1]?.version;
			const to = Number(url.searchParams.get('to')) || versions[0]?.version;
			const a = versions.find((v) => v.version === from);
			const b = versions.find((v) => v.version === to);
			return {
				campaign,
				nextStatuses: campaigns.nextStatuses(campaign.status),
				versions: versions.map((v) => ({
					version: v.version,
					submittedAt: v.submittedAt,
					by: v.submittedBy ? (people.get(v.submittedBy) ?? 'A former member') : null
				})),
				diff:
					a && b
						? {
								from: a.version,
								to: b.version,
								changes: diffSnapshots(a.snapshot, b.snapshot, names)
							}
						: null,
				lines,
				kpis,
				audiences: targeted.map((a) => ({
					id: a.id,
					name: a.name,
					summary: audienceSummary(a),
					reach: reach ? (reach.get(a.id) ?? 0) : null
				})),
				totalReach,
				products,
				totals,
				creatives,
				activity: activity.map((e) => ({
					...e,
					actor: e.actorId ? (people.get(e.actorId) ?? 'A former member') : null
				})),
				owner: campaign.ownerId ? (people.get(campaign.ownerId) ?? null) : null,
				folders
			};
		})
		.catch(throwHttp);
};

const statusSchema = z.object({
	to: z.enum(['draft', 'scheduled', 'active', 'completed', 'cancelled'])
});

async function run(event: RequestEvent, fn: Parameters<typeof orgs.withOrg<void>>[1]) {
	try {
		await orgs.withOrg(event, fn);
	} catch (e) {
		const known = describeError(e);
		if (!known) throw e;
		return fail(known.status, { message: known.message });
	}
	return null;
}

export const actions: Actions = {
	status: async (event) => {
		const parsed = statusSchema.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) return fail(400, { message: 'Pick a status.' });
		return (
			(await run(event, (trx, org) =>
				campaigns.setStatus(trx, org.id, event.params.id, parsed.data.to)
			)) ?? {
				message: null
			}
		);
	},
	folder: async (event) => {
		const posted = (await event.request.formData()).get('folder');
		const folder = typeof posted === 'string' ? posted : '';
		if (folder !== '' && !z.uuid().safeParse(folder).success)
			return fail(400, { message: 'Pick a folder.' });
		return (
			(await run(event, (trx, org) =>
				campaigns.moveToFolder(trx, org.id, event.params.id, folder || null)
			)) ?? {
				message: null
			}
		);
	},
	delete: async (event) => {
		const failure = await run(event, (trx, org) => campaigns.remove(trx, org.id, event.params.id));
		if (failure) return failure;
		redirect(303, resolve('/(app)/[org=slug]/campaigns', { org: event.params.org }));
	}
};
