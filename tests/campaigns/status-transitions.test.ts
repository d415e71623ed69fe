// The campaign status machine and what may change in each status, enforced by
// the database for every writer (a member through RLS, and the superuser the
// workers' service paths would use): every legal transition goes through,
// every other one is refused with the column and a stable hint.
import { sql } from 'kysely';
import { DatabaseError } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapDbError } from '../../src/lib/server/db/errors.ts';
import {
	campaignWorld,
	createCampaign,
	fillSections,
	setStatus,
	statusOf,
	submit,
	type CampaignWorld
} from './world.ts';

let w: CampaignWorld;
beforeAll(async () => {
	w = await campaignWorld();
});
afterAll(() => w.close());

const STATUSES = ['draft', 'scheduled', 'active', 'completed', 'cancelled'] as const;
type Status = (typeof STATUSES)[number];

const PATHS: Record<Status, Status[]> = {
	draft: [],
	scheduled: ['scheduled'],
	active: ['active'],
	completed: ['active', 'completed'],
	cancelled: ['cancelled']
};

const LEGAL = new Set([
	'draft>scheduled',
	'draft>active',
	'draft>cancelled',
	'scheduled>active',
	'scheduled>cancelled',
	'scheduled>draft',
	'active>completed',
	'active>cancelled'
]);

/** A submitted campaign (start in 2099) brought to a status through legal steps. */
async function campaignIn(status: Status): Promise<string> {
	const id = await createCampaign(w);
	await fillSections(w, id);
	await submit(w, id);
	for (const step of PATHS[status]) await setStatus(w, id, step);
	expect(await statusOf(w, id)).toBe(status);
	return id;
}

async function refusal(promise: Promise<unknown>): Promise<DatabaseError> {
	const error = await promise.then(
		() => null,
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(DatabaseError);
	return error as DatabaseError;
}

describe('transitions', () => {
	for (const from of STATUSES) {
		for (const to of STATUSES) {
			if (from === to) continue;
			const legal = LEGAL.has(`${from}>${to}`);
			it(`${from} → ${to} is ${legal ? 'allowed' : 'refused'}`, async () => {
				const id = await campaignIn(from);
				if (legal) {
					await setStatus(w, id, to);
					expect(await statusOf(w, id)).toBe(to);
				} else {
					const error = await refusal(setStatus(w, id, to));
					expect(error.code).toBe('23514');
					expect(error.hint).toMatch(/^campaign_(transition_refused|closed)$/);
					expect(mapDbError(error)).toMatchObject({ status: 422, field: 'status' });
					expect(await statusOf(w, id)).toBe(from);
				}
			});
		}
	}

	it('refuses an illegal transition to the superuser too', async () => {
		const id = await campaignIn('completed');
		const error = await refusal(
			w.admin.query(`update public.campaigns set status = 'active' where id = $1`, [id])
		);
		expect(error.hint).toBe('campaign_transition_refused');
	});

	it('refuses to schedule or start a campaign that was never submitted', async () => {
		const id = await createCampaign(w);
		for (const to of ['scheduled', 'active']) {
			const error = await refusal(setStatus(w, id, to));
			expect(error.hint).toBe('campaign_not_submitted');
		}
	});

	it('refuses to schedule a campaign whose start has passed', async () => {
		const id = await createCampaign(w);
		await fillSections(w, id, {
			budget: {
				amount: '100',
				currency: 'EUR',
				starts_at: '2020-01-01T09:00',
				ends_at: '2020-02-01T09:00'
			}
		});
		await submit(w, id);
		const error = await refusal(setStatus(w, id, 'scheduled'));
		expect(error.hint).toBe('campaign_start_passed');
		await setStatus(w, id, 'active');
		expect(await statusOf(w, id)).toBe('active');
	});

	it('refuses a campaign inserted in any status but draft', async () => {
		const error = await refusal(
			w.as('member', (trx) =>
				sql`insert into public.campaigns (org_id, kind, brand_id, name, status)
				    values (${w.world.orgA}, 'email', ${w.brandA}, 'Straight to active', 'active')`.execute(trx)
			)
		);
		expect(error.code).toBe('42501'); // status is not an insertable column
	});

	it('lets a viewer change no status', async () => {
		const id = await campaignIn('draft');
		await setStatus(w, id, 'cancelled', 'viewer'); // RLS: no row to update
		expect(await statusOf(w, id)).toBe('draft');
	});
});

describe('what may change in each status', () => {
	const update = (id: string, values: Record<string, unknown>) =>
		w.as('member', (trx) =>
			trx.updateTable('campaigns').set(values).where('id', '=', id).execute()
		);

	it('locks the brand, start, time zone and currency of a running campaign; the rest may change', async () => {
		const id = await campaignIn('active');
		for (const [column, value] of [
			['brand_id', await otherBrand()],
			['starts_at', '2099-03-02T09:00:00Z'],
			['time_zone', 'Europe/Paris'],
			['currency', 'USD']
		] as const) {
			const error = await refusal(update(id, { [column]: value }));
			expect(error.hint).toBe('campaign_field_locked');
			expect(mapDbError(error)?.field).toBe(column);
		}
		await update(id, { name: 'Spring launch (extended)', ends_at: '2099-05-31T18:00:00Z' });
	});

	it('keeps completed and cancelled campaigns as they were, but for folder and owner', async () => {
		for (const status of ['completed', 'cancelled'] as const) {
			const id = await campaignIn(status);
			const error = await refusal(update(id, { name: 'Rewritten history' }));
			expect(error.hint).toBe('campaign_closed');
			const folder = await w.as('member', (trx) =>
				trx
					.insertInto('campaign_folders')
					.values({ org_id: w.world.orgA, name: `Archive ${status}` })
					.returning('id')
					.executeTakeFirstOrThrow()
			);
			await update(id, { folder_id: folder.id, owner_id: w.world.users.admin.id });
		}
	});

	it('fixes the kind once submitted', async () => {
		const draft = await createCampaign(w);
		await update(draft, { kind: 'email' });
		const submitted = await campaignIn('draft');
		const error = await refusal(update(submitted, { kind: 'sms' }));
		expect(error.hint).toBe('campaign_field_locked');
		expect(mapDbError(error)?.field).toBe('kind');
	});

	it('freezes the budget lines and KPIs of a closed campaign', async () => {
		const id = await campaignIn('completed');
		const error = await refusal(
			w.as('member', (trx) =>
				trx.updateTable('campaign_kpis').set({ target: 1 }).where('campaign_id', '=', id).execute()
			)
		);
		expect(error.hint).toBe('campaign_closed');
	});

	it('deletes drafts and cancelled campaigns only', async () => {
		const remove = (id: string) =>
			w.as('member', (trx) => trx.deleteFrom('campaigns').where('id', '=', id).execute());
		for (const status of ['scheduled', 'active', 'completed'] as const) {
			const error = await refusal(remove(await campaignIn(status)));
			expect(error.hint).toBe('campaign_not_deletable');
		}
		for (const status of ['draft', 'cancelled'] as const) {
			const id = await campaignIn(status);
			await remove(id);
			const { rowCount } = await w.admin.query('select 1 from public.campaigns where id = $1', [
				id
			]);
			expect(rowCount).toBe(0);
		}
	});

	async function otherBrand(): Promise<string> {
		const { rows } = await w.admin.query<{ id: string }>(
			`insert into public.brands (org_id, name) values ($1, 'Second brand')
			 on conflict (org_id, name) do update set name = excluded.name returning id`,
			[w.world.orgA]
		);
		return rows[0]!.id;
	}
});

describe('events and audit', () => {
	it('records created, submitted and status changes, and audits them', async () => {
		const id = await campaignIn('active');
		const { rows: events } = await w.admin.query<{ type: string; payload: unknown }>(
			`select type, payload from public.events where subject_type = 'campaign' and subject_id = $1 order by id`,
			[id]
		);
		expect(events).toEqual([
			{ type: 'campaign.created', payload: { kind: 'influencer', brand_id: w.brandA } },
			{ type: 'campaign.submitted', payload: { version: 1 } },
			{ type: 'campaign.status_changed', payload: { from: 'draft', to: 'active' } }
		]);
		const { rows: audit } = await w.admin.query<{ action: string; actor_id: string }>(
			`select action, actor_id, after from public.audit_log where target_type = 'campaigns' and target_id = $1 order by id`,
			[id]
		);
		expect(audit.map((a) => a.action)).toEqual([
			'campaigns.insert',
			'campaigns.update',
			'campaigns.update'
		]);
		expect(new Set(audit.map((a) => a.actor_id))).toEqual(new Set([w.world.users.member.id]));
	});
});
