// withRls sends the request's settings with its begin, in the round trip of its
// first statement, and caches each API role's statement_timeout: what a request
// costs, and that the security semantics are unchanged by it (role, claims
// exactly as given, the role's timeout, one transaction, rolled back on error,
// a clean connection afterwards, no claim reaching another request on the same
// pooled connection, no statement run when the settings fail, and the same
// settings on a database made without the dialect).
import { Kysely, PostgresDialect, sql } from 'kysely';
import net from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDatabase, type Database } from '../../src/lib/server/db/client.ts';
import {
	asService,
	reloadRoleSettings,
	ROLE_SETTINGS_TTL_MS,
	withRls,
	type RequestClaims
} from '../../src/lib/server/db/rls.ts';
import type { DB } from '../../src/lib/server/db/schema.ts';
import { inTransaction } from '../../src/lib/server/db/prelude.ts';
import { SUPERUSER } from '../../platform/postgres.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let testDb: TestDatabase;
let admin: pg.Client;
/** One connection, so that what a request leaves behind is seen by the next. */
let db: Database;

const member: RequestClaims = {
	sub: '00000000-0000-4000-8000-000000000001',
	role: 'authenticated',
	email: 'member@example.test'
};

type Seen = { role: string; claims: string; timeout: string; in_transaction: boolean };
const seen = (trx: Parameters<Parameters<typeof withRls>[2]>[0]) =>
	sql<Seen>`select current_user as role, current_setting('request.jwt.claims', true) as claims,
		current_setting('statement_timeout') as timeout,
		now() <> statement_timestamp() as in_transaction`
		.execute(trx)
		.then((r) => r.rows[0]!);

beforeAll(async () => {
	testDb = await createTestDatabase();
	admin = new pg.Client({ connectionString: testDb.url });
	await admin.connect();
	await admin.query(`create table public.rls_probe (id int primary key)`);
	await admin.query(`grant insert, select on public.rls_probe to authenticated`);
	await admin.query(
		`create table public.rls_deferred (id int unique deferrable initially deferred)`
	);
	await admin.query(`grant insert, select on public.rls_deferred to authenticated`);
	db = createDatabase(testDb.url, 1);
});
afterAll(async () => {
	await db.destroy();
	await admin.end();
	await testDb.drop();
});
afterEach(async () => {
	vi.restoreAllMocks();
	await admin.query(`alter role authenticated in database ${testDb.name} reset statement_timeout`);
	reloadRoleSettings(db);
});

/**
 * Round trips to Postgres a request waits for while `fn` runs: each `query`
 * call of a pg client, except one written while the same client still awaits
 * an answer (pipelined: its answer comes back in that round trip) and one
 * still unanswered when `fn` is done (not waited for).
 */
async function roundTrips(fn: () => Promise<unknown>): Promise<number> {
	type Query = (this: pg.Client, ...args: unknown[]) => Promise<unknown>;
	const client = pg.Client.prototype as unknown as { query: Query };
	const query = client.query;
	const inFlight = new Map<pg.Client, number>();
	const trips: { answered: boolean }[] = [];
	client.query = function (...args) {
		// The write probe is written behind a statement and answered with it: it is
		// never a trip, and a statement written while only it is unanswered (the
		// caller having had its answer) starts a trip of its own.
		if (typeof args[0] === 'string' && args[0].includes('pg_current_xact_id_if_assigned')) {
			return query.apply(this, args);
		}
		const waiting = inFlight.get(this) ?? 0;
		const trip = waiting === 0 ? { answered: false } : null;
		if (trip) trips.push(trip);
		inFlight.set(this, waiting + 1);
		const done = () => {
			inFlight.set(this, inFlight.get(this)! - 1);
			if (trip) trip.answered = true;
		};
		const answer = query.apply(this, args);
		answer.then(done, done);
		return answer;
	};
	try {
		await fn();
		return trips.filter((t) => t.answered).length;
	} finally {
		client.query = query;
	}
}

describe('round trips', () => {
	it('a one-statement read costs one: begin, settings and the statement together, the commit not waited for', async () => {
		await withRls(db, member, seen); // the role's timeout is now known
		expect(await roundTrips(() => withRls(db, member, seen))).toBe(1);
		expect(await roundTrips(() => withRls(db, { role: 'anon' }, seen))).toBe(1 + 1); // first anon: lookup
		expect(await roundTrips(() => withRls(db, { role: 'anon' }, seen))).toBe(1);
		expect(await roundTrips(() => asService(db, seen))).toBe(1);
	});

	it('a request that wrote waits for its commit, and fails when the commit fails', async () => {
		const insert = (trx: Parameters<Parameters<typeof withRls>[2]>[0]) =>
			trx
				.insertInto('rls_deferred' as never)
				.values({ id: 20 })
				.execute();
		await withRls(db, member, seen); // the role's timeout is now known
		expect(await roundTrips(() => withRls(db, member, insert))).toBe(2);
		// A write the statement's kind does not reveal (raw SQL, a function called in a
		// select) is seen by the transaction id it took; a deferred unique check fails at commit.
		const twice = (trx: Parameters<Parameters<typeof withRls>[2]>[0]) =>
			sql`insert into public.rls_deferred values (1), (1)`.execute(trx);
		await expect(withRls(db, member, twice)).rejects.toMatchObject({ code: '23505' });
		await expect(
			withRls(db, member, async (trx) => {
				await sql`select count(*) from public.rls_deferred`.execute(trx);
				await twice(trx);
				await sql`select count(*) from public.rls_deferred`.execute(trx);
			})
		).rejects.toMatchObject({ code: '23505' });
		expect((await admin.query(`select id from public.rls_deferred`)).rows).toEqual([{ id: 20 }]);
	});
});

describe('a read-only request', () => {
	/** The statements a pg client is handed while `fn` runs. */
	async function statements(fn: () => Promise<unknown>): Promise<string[]> {
		type Query = (this: pg.Client, ...args: unknown[]) => Promise<unknown>;
		const client = pg.Client.prototype as unknown as { query: Query };
		const query = client.query;
		const sent: string[] = [];
		client.query = function (...args) {
			sent.push(typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text);
			return query.apply(this, args);
		};
		try {
			await fn();
			return sent;
		} finally {
			client.query = query;
		}
	}

	it('begins read only, costs one round trip and writes no probe behind its statements', async () => {
		await withRls(db, member, seen); // the role's timeout is now known
		const readOnly = { readOnly: true };
		expect(await roundTrips(() => withRls(db, member, seen, readOnly))).toBe(1);
		const sent = await statements(() =>
			withRls(
				db,
				member,
				async (trx) => {
					await seen(trx);
					return seen(trx);
				},
				readOnly
			)
		);
		expect(sent[0]).toMatch(/^begin read only; /);
		expect(sent.filter((q) => q.includes('pg_current_xact_id_if_assigned'))).toEqual([]);
		expect(sent.at(-1)).toBe('commit');
		// The same settings as any request.
		const s = await withRls(db, member, seen, readOnly);
		expect(s).toMatchObject({ role: 'authenticated', timeout: '8s', in_transaction: true });
		expect(JSON.parse(s.claims)).toEqual(member);
	});

	it('is refused any write by Postgres, and leaves nothing behind', async () => {
		const readOnly = { readOnly: true };
		await expect(
			withRls(
				db,
				member,
				(trx) => sql`insert into public.rls_probe values (40)`.execute(trx),
				readOnly
			)
		).rejects.toMatchObject({ code: '25006' });
		// A write the statement's kind does not reveal (a function called in a select), a row lock.
		await admin.query(`create or replace function public.rls_probe_write(p int) returns int
			language sql as $$ insert into public.rls_probe values (p) returning id $$`);
		await expect(
			withRls(db, member, (trx) => sql`select public.rls_probe_write(44)`.execute(trx), readOnly)
		).rejects.toMatchObject({ code: '25006' });
		await expect(
			withRls(
				db,
				member,
				(trx) => sql`select id from public.rls_probe for share`.execute(trx),
				readOnly
			)
		).rejects.toMatchObject({ code: '25006' });
		await expect(
			withRls(
				db,
				member,
				(trx) =>
					sql`with w as (insert into public.rls_probe values (41) returning id) select id from w`.execute(
						trx
					),
				readOnly
			)
		).rejects.toMatchObject({ code: '25006' });
		expect((await admin.query(`select id from public.rls_probe where id >= 40`)).rows).toEqual([]);
		// The connection serves the next request, read-write, as usual.
		await withRls(db, member, (trx) => sql`insert into public.rls_probe values (42)`.execute(trx));
		expect((await admin.query(`select id from public.rls_probe where id >= 40`)).rows).toEqual([
			{ id: 42 }
		]);
		await admin.query(`delete from public.rls_probe where id = 42`);
	});

	it('begins read only on a database made without the dialect too', async () => {
		const plain = new Kysely<DB>({
			dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: testDb.url, max: 1 }) })
		});
		try {
			await expect(
				withRls(
					plain,
					member,
					(trx) => sql`insert into public.rls_probe values (43)`.execute(trx),
					{
						readOnly: true
					}
				)
			).rejects.toMatchObject({ code: '25006' });
			const s = await withRls(plain, member, seen, { readOnly: true });
			expect(s).toMatchObject({ role: 'authenticated', timeout: '8s', in_transaction: true });
		} finally {
			await plain.destroy();
		}
	});
});

describe('writes to the socket', () => {
	/** Writes to the database's sockets while `fn` runs, up to the next tick after it. */
	async function socketWrites(fn: () => Promise<unknown>): Promise<number> {
		const socket = net.Socket.prototype as unknown as {
			_writeGeneric: (...a: unknown[]) => unknown;
		};
		const write = socket._writeGeneric;
		let writes = 0;
		socket._writeGeneric = function (...args) {
			writes++;
			return write.apply(this, args);
		};
		try {
			await fn();
			await new Promise((resolve) => setImmediate(resolve)); // its commit, not waited for
			return writes;
		} finally {
			socket._writeGeneric = write;
		}
	}

	it("sends a request's begin, settings, statement and probe in one write, its commit in another", async () => {
		await withRls(db, member, seen); // the role's timeout is now known
		// Ten requests in a row (a commit not waited for may leave in the next one's window).
		const tenTimes = (fn: () => Promise<unknown>) => async () => {
			for (let i = 0; i < 10; i++) await fn();
		};
		expect(await socketWrites(tenTimes(() => withRls(db, member, seen)))).toBeLessThanOrEqual(21);
		expect(
			await socketWrites(tenTimes(() => withRls(db, member, seen, { readOnly: true })))
		).toBeLessThanOrEqual(21);
		// A second statement, written once the first is answered, is a write of its own.
		const twice = () =>
			withRls(db, member, async (trx) => {
				await seen(trx);
				return seen(trx);
			});
		expect(await socketWrites(tenTimes(twice))).toBeLessThanOrEqual(31);
	});
});

describe('the same settings as before', () => {
	it('switches role, publishes the claims exactly and applies the role timeout, in one transaction', async () => {
		for (let i = 0; i < 2; i++) {
			// First request looks the timeout up, the second takes it from the cache.
			const s = await withRls(db, member, seen);
			expect(s).toMatchObject({ role: 'authenticated', timeout: '8s', in_transaction: true });
			expect(JSON.parse(s.claims)).toEqual(member);
		}
		const anon = await withRls(db, { role: 'anon' }, seen);
		expect(anon).toMatchObject({ role: 'anon', timeout: '3s' });
		const service = await asService(db, seen);
		expect(service).toMatchObject({ role: 'service_role', in_transaction: true });
		expect(JSON.parse(service.claims)).toEqual({ role: 'service_role' });
	});

	it('inlines claims as literals that no quote, backslash or control character escapes', async () => {
		const tricky: RequestClaims = {
			...member,
			email: `o'brien\\"x@example.test`,
			name: `'); select set_config('role', 'postgres', true); --`,
			note: 'tab\there, é, 🙂, \\x41 and $$dollar$$'
		};
		const s = await withRls(db, tricky, seen);
		expect(s.role).toBe('authenticated');
		expect(JSON.parse(s.claims)).toEqual(tricky);
		const { rows } = await withRls(db, tricky, (trx) =>
			sql<{ email: string }>`select auth.jwt() ->> 'email' as email`.execute(trx)
		);
		expect(rows[0]!.email).toBe(tricky.email);
	});

	it('still refuses any role but anon and authenticated', async () => {
		await expect(withRls(db, { role: 'service_role' }, seen)).rejects.toThrow(/refusing/);
		await expect(withRls(db, { role: 'postgres' }, seen)).rejects.toThrow(/refusing/);
	});

	it('rolls everything back on error and leaves the connection as it found it', async () => {
		await expect(
			withRls(db, member, async (trx) => {
				await sql`insert into public.rls_probe values (1)`.execute(trx);
				throw new Error('boom');
			})
		).rejects.toThrow('boom');
		await expect(
			withRls(db, member, async (trx) => {
				await sql`insert into public.rls_probe values (2)`.execute(trx);
				await sql`select 1 / 0`.execute(trx);
			})
		).rejects.toMatchObject({ code: '22012' });
		const counted = await admin.query<{ n: number }>(
			`select count(*)::int as n from public.rls_probe`
		);
		expect(counted.rows[0]!.n).toBe(0);
		// The pool's only connection, outside any request: its own role, no claims, no timeout.
		const { rows } = await sql<{ role: string; claims: string | null; timeout: string }>`
			select current_user as role, nullif(current_setting('request.jwt.claims', true), '') as claims,
			       current_setting('statement_timeout') as timeout`.execute(db);
		expect(rows[0]).toEqual({ role: SUPERUSER, claims: null, timeout: '0' });
	});

	it('commits what the request wrote', async () => {
		await withRls(db, member, (trx) => sql`insert into public.rls_probe values (3)`.execute(trx));
		expect((await admin.query(`select id from public.rls_probe`)).rows).toEqual([{ id: 3 }]);
	});

	it('gives a database made without the dialect the same settings (one round trip more)', async () => {
		const plain = new Kysely<DB>({
			dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: testDb.url, max: 1 }) })
		});
		try {
			await withRls(plain, member, seen);
			const s = await withRls(plain, member, seen);
			expect(s).toMatchObject({ role: 'authenticated', timeout: '8s', in_transaction: true });
			expect(JSON.parse(s.claims)).toEqual(member);
			expect(await roundTrips(() => withRls(plain, member, seen))).toBe(4); // no pipeline: each waits
		} finally {
			await plain.destroy();
		}
	});
});

describe("the role's timeout, cached", () => {
	const timeout = () => withRls(db, member, seen).then((s) => s.timeout);

	it('follows an `alter role` on reload, or by itself within the TTL', async () => {
		expect(await timeout()).toBe('8s');
		await admin.query(
			`alter role authenticated in database ${testDb.name} set statement_timeout = '5s'`
		);
		expect(await timeout()).toBe('8s'); // cached
		reloadRoleSettings(db);
		expect(await timeout()).toBe('5s');

		await admin.query(
			`alter role authenticated in database ${testDb.name} set statement_timeout = '6s'`
		);
		const now = Date.now();
		vi.spyOn(Date, 'now').mockReturnValue(now + ROLE_SETTINGS_TTL_MS + 1);
		expect(await timeout()).toBe('6s');
	});
});

describe('one pooled connection, many requests', () => {
	const other: RequestClaims = {
		sub: '00000000-0000-4000-8000-000000000002',
		role: 'authenticated',
		email: 'other@example.test'
	};
	/** What the pool's only connection holds between requests. */
	const outside = () =>
		sql<{ role: string; claims: string | null; open: boolean }>`
			select current_user as role, nullif(current_setting('request.jwt.claims', true), '') as claims,
			       now() <> statement_timestamp() as open`
			.execute(db)
			.then((r) => r.rows[0]!);

	it('never lets a claim reach another request, interleaved, failing or running nothing', async () => {
		// Started together on a pool of one connection: each takes it in turn, each
		// twice reads the claims with a pause between, one fails half-way, one
		// fails before any statement, one runs none.
		const twice = (claims: RequestClaims) =>
			withRls(db, claims, async (trx) => {
				const first = await seen(trx);
				await new Promise((resolve) => setImmediate(resolve));
				const second = await seen(trx);
				return [first, second].map((s) => JSON.parse(s.claims) as RequestClaims);
			});
		const results = await Promise.allSettled([
			twice(member),
			withRls(db, other, async (trx) => {
				await seen(trx);
				throw new Error('half-way');
			}),
			twice(other),
			withRls(db, { role: 'anon' }, () => Promise.reject(new Error('before any statement'))),
			twice({ role: 'anon' }),
			withRls(db, other, () => Promise.resolve('nothing run')),
			twice(member)
		]);
		expect(results.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason)))).toEqual([
			[member, member],
			'Error: half-way',
			[other, other],
			'Error: before any statement',
			[{ role: 'anon' }, { role: 'anon' }],
			'nothing run',
			[member, member]
		]);
		expect(await outside()).toEqual({ role: SUPERUSER, claims: null, open: false });
	});

	it("runs none of a request's statements when its settings fail, and says why", async () => {
		const wrote = (id: number) => (trx: Parameters<Parameters<typeof withRls>[2]>[0]) =>
			sql`insert into public.rls_probe values (${id})`.execute(trx);
		// A settings statement that fails (as a bad claim or role would), the request's
		// insert written right behind it: refused with the settings' error, not the insert's.
		await expect(
			inTransaction(db, `select set_config('role', 'no_such_role', true)`, wrote(10))
		).rejects.toMatchObject({ code: '22023' });
		// The same when the request runs no statement of its own (the commit collects it).
		await expect(inTransaction(db, `select 1 / 0`, () => Promise.resolve())).rejects.toMatchObject({
			code: '22012'
		});
		expect((await admin.query(`select id from public.rls_probe where id = 10`)).rows).toEqual([]);
		expect(await outside()).toEqual({ role: SUPERUSER, claims: null, open: false });
		// And the connection serves the next request as usual.
		expect(JSON.parse((await withRls(db, member, seen)).claims)).toEqual(member);
	});
});
