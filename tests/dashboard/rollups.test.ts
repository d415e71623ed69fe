// The dashboard's rollups stay exact: after every kind of write (a contact
// added, its status changed, deleted, erased; a bulk insert; an import through
// the worker; runs started, finished, deleted) the rollup equals a direct
// count of the table, before and after folding; writers of one organization
// do not wait for each other; another organization's member reads nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as contacts from '../../src/lib/server/contacts/index.ts';
import * as imports from '../../src/lib/server/imports/index.ts';
import type { ContactDeps } from '../../src/worker/contacts-deps.ts';
import { runContactImport } from '../../src/worker/contacts-import.ts';
import { createContactsWorld, type ContactsWorld } from '../contacts/world.ts';

let w: ContactsWorld;
let dir: string;
let deps: ContactDeps;
let admin: pg.Client;

beforeAll(async () => {
	w = await createContactsWorld();
	dir = await mkdtemp(join(tmpdir(), 'gd-dashboard-'));
	deps = { db: w.db, connectionString: w.testDb.url, store: new imports.LocalFileStore(dir) };
	admin = new pg.Client({ connectionString: w.testDb.url });
	await admin.connect();
});
afterAll(async () => {
	await admin.end();
	await w.cleanup();
	await rm(dir, { recursive: true, force: true });
});

type Counts = Record<string, number>;

/** `day|status → n` from the rollup (zero sums left out) and from a direct count. */
async function compare(table: 'contacts' | 'runs', orgId: string) {
	const [rollup, source, column] =
		table === 'contacts'
			? ['contact_daily_counts', 'contacts', 'created_at']
			: ['automation_run_daily_counts', 'automation_runs', 'started_at'];
	const read = async (query: string): Promise<Counts> => {
		const { rows } = await admin.query<{ k: string; n: string }>(query, [orgId]);
		return Object.fromEntries(rows.map((r) => [r.k, Number(r.n)]));
	};
	return {
		rollup: await read(
			`select day::text || '|' || status as k, sum(n) as n from public.${rollup}
			  where org_id = $1 group by day, status having sum(n) <> 0`
		),
		direct: await read(
			`select (${column} at time zone 'UTC')::date::text || '|' || status as k, count(*) as n
			   from public.${source} where org_id = $1 group by 1`
		)
	};
}

async function expectExact(table: 'contacts' | 'runs', orgId = w.orgA) {
	const { rollup, direct } = await compare(table, orgId);
	expect(rollup).toEqual(direct);
	return direct;
}

const fold = async () =>
	Number(
		(await admin.query<{ n: string }>(`select private.fold_dashboard_rollups() as n`)).rows[0]!.n
	);

describe('contact counts', () => {
	it('follow inserts, status changes, deletes and erasure made through the app', async () => {
		const ids = await w.as('member', async (trx) => {
			const a = await contacts.create(trx, w.orgA, { email: 'a@x.test' });
			const b = await contacts.create(trx, w.orgA, { email: 'b@x.test', status: 'bounced' });
			const c = await contacts.create(trx, w.orgA, { email: 'c@x.test' });
			return [a.id, b.id, c.id] as const;
		});
		expect(await expectExact('contacts')).toEqual({
			[`${new Date().toISOString().slice(0, 10)}|subscribed`]: 2,
			[`${new Date().toISOString().slice(0, 10)}|bounced`]: 1
		});
		await w.as('member', (trx) => contacts.update(trx, w.orgA, ids[0], { status: 'unsubscribed' }));
		await w.as('member', (trx) => contacts.update(trx, w.orgA, ids[1], { firstName: 'Bea' }));
		await expectExact('contacts');
		await w.as('member', (trx) => contacts.remove(trx, w.orgA, ids[2]));
		await expectExact('contacts');
		await w.as('member', (trx) => contacts.erase(trx, w.orgA, ids[1]));
		await expectExact('contacts');
	});

	it('follow bulk statements, older creation days and moves between days', async () => {
		await admin.query(
			`insert into public.contacts (org_id, email, status, created_at)
			 select $1, 'bulk' || i || '@x.test',
			        (array['subscribed','unsubscribed','bounced'])[1 + i % 3]::public.contact_status,
			        now() - (i % 120 || ' days')::interval
			   from generate_series(1, 3000) i`,
			[w.orgA]
		);
		await expectExact('contacts');
		await admin.query(
			`update public.contacts set status = 'bounced' where org_id = $1 and email like 'bulk1%'`,
			[w.orgA]
		);
		await admin.query(
			`update public.contacts set created_at = created_at - interval '3 days'
			  where org_id = $1 and email like 'bulk2%'`,
			[w.orgA]
		);
		await expectExact('contacts');
		await admin.query(`delete from public.contacts where org_id = $1 and email like 'bulk3%'`, [
			w.orgA
		]);
		await expectExact('contacts');
	});

	it('follow an import through the worker (one event for the rows, counts all the same)', async () => {
		const csv = ['Email,First name']
			.concat(Array.from({ length: 500 }, (_, i) => `imp${i}@x.test,Imp`))
			.concat(['bulk10@x.test,Updated'])
			.join('\n');
		const { job, suggestedMapping } = await w.as('member', (trx) =>
			imports.upload(trx, deps.store, w.orgA, { fileName: 'people.csv', data: Buffer.from(csv) })
		);
		await w.as('member', (trx) =>
			imports.start(trx, deps.store, w.orgA, job.id, {
				mapping: suggestedMapping,
				options: { skipInvalidRows: false, tagIds: [], updateExisting: true }
			})
		);
		expect((await runContactImport(deps, job.id)).status).toBe('completed');
		const direct = await expectExact('contacts');
		expect(Object.values(direct).reduce((a, b) => a + b, 0)).toBeGreaterThan(2500);
	});

	it('stay exact when folded, and folding leaves one row per day and status', async () => {
		const before = await expectExact('contacts');
		expect(await fold()).toBeGreaterThan(0);
		expect(await expectExact('contacts')).toEqual(before);
		const { rows } = await admin.query<{ n: string }>(
			`select count(*) as n from public.contact_daily_counts where org_id = $1 and batch <> 0`,
			[w.orgA]
		);
		expect(Number(rows[0]!.n)).toBe(0);
		expect(await fold()).toBe(0);
	});

	it('are rebuilt exactly after writes with triggers off (a bulk seed)', async () => {
		await admin.query(`set session_replication_role = replica`);
		await admin.query(
			`insert into public.contacts (org_id, email) select $1, 'quiet' || i || '@x.test' from generate_series(1, 50) i`,
			[w.orgA]
		);
		await admin.query(`set session_replication_role = origin`);
		const stale = await compare('contacts', w.orgA);
		expect(stale.rollup).not.toEqual(stale.direct);
		await admin.query(`select private.rebuild_dashboard_rollups($1)`, [w.orgA]);
		await expectExact('contacts');
	});

	it('let two transactions of one organization write at once (no shared counter row)', async () => {
		const other = new pg.Client({ connectionString: w.testDb.url });
		await other.connect();
		try {
			await admin.query('begin');
			await admin.query(`insert into public.contacts (org_id, email) values ($1, 'open1@x.test')`, [
				w.orgA
			]);
			await other.query(`set lock_timeout = '2s'`);
			// Would wait for the first transaction if both added to the same row.
			await other.query(`insert into public.contacts (org_id, email) values ($1, 'open2@x.test')`, [
				w.orgA
			]);
			await admin.query('commit');
		} finally {
			await admin.query('rollback').catch(() => {});
			await other.end();
		}
		await expectExact('contacts');
	});

	it('go with a deleted organization', async () => {
		const { rows } = await admin.query<{ id: string }>(
			`insert into public.organizations (name, slug) values ('Doomed', 'doomed-dash') returning id`
		);
		const doomed = rows[0]!.id;
		await admin.query(
			`insert into public.contacts (org_id, email) select $1, 'd' || i || '@x.test' from generate_series(1, 20) i`,
			[doomed]
		);
		await expectExact('contacts', doomed);
		await admin.query(`delete from public.organizations where id = $1`, [doomed]);
		const left = await admin.query(`select 1 from public.contact_daily_counts where org_id = $1`, [
			doomed
		]);
		expect(left.rowCount).toBe(0);
	});
});

describe('automation run counts', () => {
	it('follow runs started, moved through statuses and deleted', async () => {
		const { rows } = await admin.query<{ a: string; v: string }>(
			`with a as (insert into public.automations (org_id, name) values ($1, 'Welcome') returning id),
			      v as (insert into public.automation_versions (org_id, automation_id, version, definition)
			            select $1, a.id, 1, '{}' from a returning id, automation_id)
			 select automation_id as a, id as v from v`,
			[w.orgA]
		);
		const { a, v } = rows[0]!;
		await admin.query(
			`insert into public.automation_runs (org_id, automation_id, version_id, dedupe_key, started_at)
			 select $1, $2, $3, 'k' || i, now() - (i % 40 || ' days')::interval from generate_series(1, 400) i`,
			[w.orgA, a, v]
		);
		await expectExact('runs');
		await admin.query(
			`update public.automation_runs set status = 'completed', finished_at = now()
			  where org_id = $1 and dedupe_key like 'k1%'`,
			[w.orgA]
		);
		await admin.query(
			`update public.automation_runs set status = 'failed', error = 'SMTP refused'
			  where org_id = $1 and dedupe_key like 'k2%'`,
			[w.orgA]
		);
		// A step that leaves the status as it was writes no delta.
		await admin.query(`update public.automation_runs set seq = seq + 1 where org_id = $1`, [
			w.orgA
		]);
		await expectExact('runs');
		await admin.query(`delete from public.automation_runs where dedupe_key like 'k3%'`);
		await expectExact('runs');
		await fold();
		await expectExact('runs');
	});
});

describe('reading the rollups', () => {
	it("is for the organization's members only", async () => {
		const read = (persona: 'member' | 'viewer' | 'outsider', orgId: string) =>
			w.as(persona, async (trx) => ({
				contacts: (
					await sql`select 1 from public.contact_daily_counts where org_id = ${orgId}`.execute(trx)
				).rows.length,
				runs: (
					await sql`select 1 from public.automation_run_daily_counts where org_id = ${orgId}`.execute(
						trx
					)
				).rows.length
			}));
		const own = await read('viewer', w.orgA);
		expect(own.contacts).toBeGreaterThan(0);
		expect(own.runs).toBeGreaterThan(0);
		// The outsider owns org B: a member elsewhere sees nothing of A.
		expect(await read('outsider', w.orgA)).toEqual({ contacts: 0, runs: 0 });
	});
});
