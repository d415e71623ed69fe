// Scheduled campaigns start by themselves: the worker's campaigns_advance_statuses
// task moves a scheduled campaign whose start (in its time zone) has passed to
// active, and an active one past its end to completed, exactly as a manual
// transition would (same event, an audit entry with no person: the system),
// once, even when two workers run it at the same moment. The task is called
// directly with a fixed "now" (no sleeps, no real clock).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceCampaignStatuses, CAMPAIGNS_CRONTAB } from '../../src/worker/campaign-statuses.ts';
import { CRONTAB } from '../../src/worker/runtime.ts';
import { tasks } from '../../src/worker/tasks.ts';
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

// fillSections' budget: 2099-03-01 09:00 to 2099-04-30 18:00 in Europe/Berlin,
// i.e. 08:00Z (CET) to 16:00Z (CEST).
const START = new Date('2099-03-01T08:00:00Z');
const END = new Date('2099-04-30T16:00:00Z');
const at = (d: Date, seconds: number) => new Date(d.getTime() + seconds * 1000);

async function scheduledCampaign(): Promise<string> {
	const id = await createCampaign(w);
	await fillSections(w, id);
	await submit(w, id);
	await setStatus(w, id, 'scheduled');
	return id;
}

async function statusEvents(id: string) {
	const { rows } = await w.admin.query<{ payload: unknown }>(
		`select payload from public.events
		  where subject_type = 'campaign' and subject_id = $1 and type = 'campaign.status_changed' order by id`,
		[id]
	);
	return rows.map((r) => r.payload);
}

/** Leaves only the given campaigns due (earlier tests' campaigns are cancelled). */
async function onlyThese(ids: string[]) {
	await w.admin.query(
		`update public.campaigns set status = 'cancelled'
		  where status in ('draft', 'scheduled', 'active') and not (id = any($1::uuid[]))`,
		[ids]
	);
}

describe('campaigns_advance_statuses', () => {
	it('is a task of the worker, run every minute', () => {
		expect(tasks).toHaveProperty('campaigns_advance_statuses');
		expect(CRONTAB.split('\n')).toContain(CAMPAIGNS_CRONTAB);
		expect(CAMPAIGNS_CRONTAB).toMatch(/^\* \* \* \* \* campaigns_advance_statuses\b/);
	});

	it('starts a scheduled campaign when its start passes in its time zone, then completes it at its end', async () => {
		const id = await scheduledCampaign();
		const draft = await createCampaign(w);
		await onlyThese([id, draft]);

		// 08:59 in Berlin (a reading of 09:00 as UTC would wait an hour more; 07:59Z is too early).
		expect(await advanceCampaignStatuses(w.world.db, at(START, -1))).toEqual({
			started: 0,
			completed: 0
		});
		expect(await statusOf(w, id)).toBe('scheduled');

		expect(await advanceCampaignStatuses(w.world.db, at(START, 30 * 60))).toEqual({
			started: 1,
			completed: 0
		});
		expect(await statusOf(w, id)).toBe('active');
		// A draft is never started, whatever its dates.
		expect(await statusOf(w, draft)).toBe('draft');

		// Again at the same time: nothing left to do, no second event.
		expect(await advanceCampaignStatuses(w.world.db, at(START, 30 * 60))).toEqual({
			started: 0,
			completed: 0
		});
		expect(await statusEvents(id)).toEqual([
			{ from: 'draft', to: 'scheduled' },
			{ from: 'scheduled', to: 'active' }
		]);

		expect(await advanceCampaignStatuses(w.world.db, at(END, -1))).toEqual({
			started: 0,
			completed: 0
		});
		expect(await advanceCampaignStatuses(w.world.db, END)).toEqual({ started: 0, completed: 1 });
		expect(await statusOf(w, id)).toBe('completed');
		expect(await statusEvents(id)).toEqual([
			{ from: 'draft', to: 'scheduled' },
			{ from: 'scheduled', to: 'active' },
			{ from: 'active', to: 'completed' }
		]);
	});

	it('writes the same event as a manual start and audits the move as the system', async () => {
		const manual = await scheduledCampaign();
		const automatic = await scheduledCampaign();
		await onlyThese([manual, automatic]);
		await setStatus(w, manual, 'active');
		await advanceCampaignStatuses(w.world.db, at(START, 60));

		const { rows: events } = await w.admin.query<{ subject_id: string; payload: unknown }>(
			`select subject_id, type, payload from public.events
			  where type = 'campaign.status_changed' and subject_id = any($1::uuid[])
			    and payload ->> 'to' = 'active' order by subject_id`,
			[[manual, automatic]]
		);
		expect(events).toHaveLength(2);
		const byId = Object.fromEntries(events.map((e) => [e.subject_id, e]));
		expect(byId[automatic]).toMatchObject({ payload: byId[manual]!.payload });

		const { rows: audit } = await w.admin.query<{
			target_id: string;
			actor_id: string | null;
			actor_name: string | null;
			before: Record<string, unknown>;
			after: Record<string, unknown>;
		}>(
			`select target_id, actor_id, actor_name, before, after from public.audit_log
			  where action = 'campaigns.update' and target_id = any($1) and after ->> 'status' = 'active'`,
			[[manual, automatic]]
		);
		const entry = (id: string) => audit.find((a) => a.target_id === id)!;
		expect(entry(manual).actor_id).toBe(w.world.users.member.id);
		expect(entry(automatic)).toMatchObject({
			actor_id: null,
			actor_name: null,
			before: { status: 'scheduled' },
			after: { status: 'active' }
		});
	});

	it('takes a campaign whose whole run was missed through active to completed', async () => {
		const id = await scheduledCampaign();
		await onlyThese([id]);
		expect(await advanceCampaignStatuses(w.world.db, at(END, 3600))).toEqual({
			started: 1,
			completed: 1
		});
		expect(await statusEvents(id)).toEqual([
			{ from: 'draft', to: 'scheduled' },
			{ from: 'scheduled', to: 'active' },
			{ from: 'active', to: 'completed' }
		]);
	});

	it('moves each campaign once when two workers run at the same moment', async () => {
		const ids: string[] = [];
		for (let i = 0; i < 12; i++) ids.push(await scheduledCampaign());
		await onlyThese(ids);
		const now = at(START, 60);
		const runs = await Promise.all([
			advanceCampaignStatuses(w.world.db, now),
			advanceCampaignStatuses(w.world.db, now)
		]);
		expect(runs.reduce((n, r) => n + r.started, 0)).toBe(12);
		const { rows } = await w.admin.query<{ subject_id: string; n: number }>(
			`select subject_id, count(*)::int as n from public.events
			  where type = 'campaign.status_changed' and subject_id = any($1::uuid[])
			    and payload ->> 'to' = 'active' group by subject_id`,
			[ids]
		);
		expect(rows).toHaveLength(12);
		expect(rows.every((r) => r.n === 1)).toBe(true);
	});
});
