// The dashboard's data for a seeded organization, read as its members read
// it (RLS): contacts over time and this week, statuses, runs by outcome with
// the failures, the largest segments, recent imports and activity, and the
// getting-started checklist that goes away once its four steps are done.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as dashboard from '../../src/lib/server/dashboard/index.ts';
import { createContactsWorld, type ContactsWorld } from '../contacts/world.ts';

let w: ContactsWorld;
let admin: pg.Client;
const NOW = new Date();
const today = NOW.toISOString().slice(0, 10);
let failedRun: string;
let importId: string;

beforeAll(async () => {
	w = await createContactsWorld();
	admin = new pg.Client({ connectionString: w.testDb.url });
	await admin.connect();
	// 200 contacts, one a day back 200 days; every 25th bounced, the other 10ths unsubscribed.
	await admin.query(
		`insert into public.contacts (org_id, email, status, created_at)
		 select $1, 'c' || i || '@x.test',
		        (case when i % 25 = 0 then 'bounced' when i % 10 = 0 then 'unsubscribed' else 'subscribed' end)::public.contact_status,
		        now() - (i || ' days')::interval + interval '1 minute'
		   from generate_series(0, 199) i`,
		[w.orgA]
	);
	await admin.query(
		`insert into public.segments (org_id, name, rules) values
		   ($1, 'Small', '{"kind":"group","match":"all","rules":[]}'),
		   ($1, 'Large', '{"kind":"group","match":"all","rules":[]}'),
		   ($1, 'Not counted yet', '{"kind":"group","match":"all","rules":[]}')`,
		[w.orgA]
	);
	// As the worker leaves them once built.
	await admin.query(
		`update public.segments set cached_count = case name when 'Small' then 3 else 150 end, refreshed_at = now()
		  where org_id = $1 and name in ('Small', 'Large')`,
		[w.orgA]
	);
	const { rows } = await admin.query<{ a: string; v: string }>(
		`with a as (insert into public.automations (org_id, name) values ($1, 'Welcome series') returning id),
		      v as (insert into public.automation_versions (org_id, automation_id, version, definition)
		            select $1, a.id, 1, '{}' from a returning id, automation_id)
		 select automation_id as a, id as v from v`,
		[w.orgA]
	);
	// 40 runs over 40 days: completed, but every 8th failed and every 5th still waiting.
	await admin.query(
		`insert into public.automation_runs (org_id, automation_id, version_id, dedupe_key, status, error, started_at)
		 select $1, $2, $3, 'r' || i,
		        (case when i % 8 = 0 then 'failed' when i % 5 = 0 then 'waiting' else 'completed' end)::public.automation_run_status,
		        case when i % 8 = 0 then 'The mail server refused the message' end,
		        now() - (i || ' days')::interval
		   from generate_series(0, 39) i`,
		[w.orgA, rows[0]!.a, rows[0]!.v]
	);
	failedRun = (
		await admin.query<{ id: string }>(
			`select id from public.automation_runs where org_id = $1 and dedupe_key = 'r0'`,
			[w.orgA]
		)
	).rows[0]!.id;
	importId = (
		await admin.query<{ id: string }>(
			`insert into public.contact_imports (org_id, file_name, status, inserted_rows, updated_rows, created_by)
			 values ($1, 'spring-fair.csv', 'completed', 120, 4, $2) returning id`,
			[w.orgA, w.users.member.id]
		)
	).rows[0]!.id;
	await admin.query(
		`insert into public.events (org_id, type, subject_type, subject_id, payload)
		 values ($1, 'contacts.imported', 'import', $2, '{"inserted":120,"updated":4}')`,
		[w.orgA, importId]
	);
});
afterAll(async () => {
	await admin.end();
	await w.cleanup();
});

const load = (persona: 'viewer' | 'admin' | 'outsider', orgId = w.orgA) =>
	w.as(persona, (trx) => dashboard.load(trx, orgId, NOW));

describe('the dashboard', () => {
	it('shows contacts over 90 days, this week and by status', async () => {
		const d = await load('viewer');
		expect(d.today).toBe(today);
		expect(d.contacts.total).toBe(200);
		expect(d.contacts.byStatus).toEqual({ subscribed: 176, unsubscribed: 16, bounced: 8 });
		expect(d.contacts.daily).toHaveLength(90);
		expect(d.contacts.daily.at(-1)).toEqual({ day: today, total: 200 });
		// Created 0–89 days ago fall in the window: the first point holds those older.
		expect(d.contacts.daily[0]!.total).toBe(200 - 89);
		// Created 0–6 days ago (7 contacts) are this week's growth.
		expect(d.contacts.week.added).toBe(7);
		expect(d.contacts.week.percent).toBeCloseTo((7 / 193) * 100, 5);
	});

	it('shows runs by outcome for 7 and 30 days, with the latest failures', async () => {
		const d = await load('viewer');
		expect(d.automations.daily).toHaveLength(30);
		// Days 0–6: i = 0 failed, 5 waiting, the other five completed.
		expect(d.automations.last7).toEqual({ completed: 5, failed: 1, inProgress: 1, cancelled: 0 });
		// Days 0–29: failed 0, 8, 16, 24; waiting 5, 10, 15, 20, 25 (not 40).
		expect(d.automations.last30).toEqual({ completed: 21, failed: 4, inProgress: 5, cancelled: 0 });
		expect(d.automations.failures[0]).toMatchObject({
			id: failedRun,
			automationName: 'Welcome series',
			error: 'The mail server refused the message'
		});
		expect(d.automations.failures).toHaveLength(3);
	});

	it('lists the largest segments, recent imports and activity in words', async () => {
		const d = await load('viewer');
		expect(d.segments.map((s) => [s.name, s.count])).toEqual([
			['Large', 150],
			['Small', 3]
		]);
		expect(d.imports).toEqual([
			expect.objectContaining({ id: importId, fileName: 'spring-fair.csv', insertedRows: 120 })
		]);
		const lines = d.activity.map((a) => `${a.who} ${a.what}`);
		expect(lines).toContain('Mia Member imported 120 contacts and updated 4');
		expect(lines).toContain('Vic Viewer joined the team as a viewer');
		expect(d.activity.find((a) => a.link)?.link).toEqual({ kind: 'import', id: importId });
	});

	it('shows the catalogue: products not archived and audiences, the latest first', async () => {
		await admin.query(
			`insert into public.products (org_id, name, sku, price, currency, archived_at, created_at) values
			   ($1, 'Rain jacket', 'RJ-1', 120, 'EUR', null, now() - interval '2 days'),
			   ($1, 'Trail shoe', 'TS-1', 89.90, 'EUR', null, now() - interval '1 day'),
			   ($1, 'Old cap', 'CAP-0', 10, 'EUR', now(), now())`,
			[w.orgA]
		);
		await admin.query(`insert into public.audiences (org_id, name) values ($1, 'Runners')`, [
			w.orgA
		]);
		const d = await load('viewer');
		expect(d.catalog).toMatchObject({ products: 2, audiences: 1 });
		expect(d.catalog.latestProducts.map((p) => [p.name, p.price])).toEqual([
			['Trail shoe', '89.90'],
			['Rain jacket', '120.00']
		]);
		expect(d.catalog.latestAudiences.map((a) => a.name)).toEqual(['Runners']);
		expect((await load('outsider')).catalog).toMatchObject({ products: 0, audiences: 0 });
	});

	it('shows the organization to its members only', async () => {
		const d = await load('outsider');
		expect(d.contacts.total).toBe(0);
		expect(d.automations.last30.completed).toBe(0);
		expect(d.segments).toEqual([]);
		expect(d.imports).toEqual([]);
		expect(d.activity).toEqual([]);
	});

	it('offers the getting-started steps until all four are done', async () => {
		const fresh = await load('outsider', w.orgB);
		expect(fresh.checklist).toEqual({
			contacts: false,
			segment: false,
			teammate: false,
			automation: false
		});
		// Org A has contacts, segments, teammates and an automation.
		expect((await load('viewer')).checklist).toBeNull();
	});
});
