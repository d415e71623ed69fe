// Settings and limits of the Data API roles, as raw SQL from a request would
// meet them: a custom setting an API role sets itself silences nothing, and the
// roles' statement timeouts hold for the app's requests as they do for
// PostgREST's (where `set local role` alone would not apply them).
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withRls } from '../../src/lib/server/db/rls.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { pgError } from '../helpers/errors.ts';
import { createTenancyWorld, type TenancyWorld } from '../helpers/tenancy.ts';

let testDb: TestDatabase;
let w: TenancyWorld;
let client: pg.Client;

beforeAll(async () => {
	testDb = await createTestDatabase();
	w = await createTenancyWorld(testDb.url);
	client = new pg.Client({ connectionString: testDb.url });
	await client.connect();
});
afterAll(async () => {
	await client.end();
	await w.close();
	await testDb.drop();
});

async function newContact(): Promise<string> {
	const { rows } = await client.query<{ id: string }>(
		`insert into public.contacts (org_id, email) values ($1, $2) returning id`,
		[w.orgA, `quiet-${Math.random().toString(36).slice(2, 8)}@example.test`]
	);
	return rows[0]!.id;
}

async function updateEvents(contactId: string): Promise<number> {
	const { rows } = await client.query<{ n: number }>(
		`select count(*)::int as n from public.events
		  where subject_type = 'contact' and subject_id = $1 and type = 'contact.updated'`,
		[contactId]
	);
	return rows[0]!.n;
}

describe('growthdesk.quiet_contact_updates', () => {
	const quietly = (change: ReturnType<typeof sql>) =>
		withRls(w.db, w.claims('member'), async (trx) => {
			await sql`select set_config('growthdesk.quiet_contact_updates', 'on', true)`.execute(trx);
			await change.execute(trx);
		});

	it('does not silence contact.updated for an API role', async () => {
		const id = await newContact();
		await quietly(sql`update public.contacts set first_name = 'Quentin' where id = ${id}`);
		expect(await updateEvents(id)).toBe(1);
	});

	it('does not skip the custom value checks for an API role', async () => {
		const id = await newContact();
		await expect(
			quietly(
				sql`update public.contacts set custom = custom || '{"no_such_field": 1}' where id = ${id}`
			)
		).rejects.toMatchObject(pgError('23514', 'contact_custom_invalid'));
		expect(await updateEvents(id)).toBe(0);
	});

	it('still quiets the worker (a trusted role), which purges deleted fields with it', async () => {
		const id = await newContact();
		await client.query('begin');
		await client.query(`select set_config('growthdesk.quiet_contact_updates', 'on', true)`);
		await client.query(`update public.contacts set first_name = 'Quiet' where id = $1`, [id]);
		await client.query('commit');
		expect(await updateEvents(id)).toBe(0);
	});
});

describe('statement timeouts', () => {
	/** What `alter role … set statement_timeout` says for a role (the platform sets 3s and 8s). */
	async function configured(role: string): Promise<string> {
		const { rows } = await client.query<{ timeout: string }>(
			`select substr(c, length('statement_timeout=') + 1) as timeout
			   from pg_db_role_setting s, unnest(s.setconfig) c
			  where s.setrole = $1::regrole and starts_with(c, 'statement_timeout=')`,
			[role]
		);
		return rows[0]!.timeout;
	}

	const inRequest = (persona: 'anon' | 'member') =>
		withRls(w.db, w.claims(persona), (trx) =>
			sql<{ timeout: string }>`select current_setting('statement_timeout') as timeout`.execute(trx)
		).then((r) => r.rows[0]!.timeout);

	it("applies each API role's own statement_timeout to the app's requests", async () => {
		expect(await configured('authenticated')).toBe('8s');
		expect(await configured('anon')).toBe('3s');
		expect(await inRequest('member')).toBe('8s');
		expect(await inRequest('anon')).toBe('3s');
	});

	it('cuts off a statement that runs past it, and only for that request', async () => {
		await expect(
			withRls(w.db, w.claims('anon'), (trx) => sql`select pg_sleep(3.5)`.execute(trx))
		).rejects.toMatchObject({ code: '57014' });
		// The pooled connection is back to its own setting afterwards.
		const { rows } = await w.db
			.transaction()
			.execute((trx) =>
				sql<{ timeout: string }>`select current_setting('statement_timeout') as timeout`.execute(
					trx
				)
			);
		expect(rows[0]!.timeout).toBe('0');
	});
});
