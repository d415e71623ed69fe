// The RLS matrix: every table in an exposed schema × every persona × select,
// insert, update, delete, checked against tests/rls/expectations.ts. Each
// attempt runs as the persona exactly as a request would (role + JWT claims,
// set locally) inside a transaction that is rolled back.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import {
	createTenancyWorld,
	PERSONAS,
	type Persona,
	type TenancyWorld
} from '../helpers/tenancy.ts';
import { expectations, type Row } from './expectations.ts';

const EXPOSED_SCHEMAS = ['public'];
// Storage's tables are not in the Data API, but Storage runs every request
// through their policies as the caller's role: they are tenant tables too.
const STORAGE_TABLES = ['storage.buckets', 'storage.objects'];
const OPERATIONS = ['select', 'insert', 'update', 'delete'] as const;
type Operation = (typeof OPERATIONS)[number];

let testDb: TestDatabase;
let world: TenancyWorld;
let client: pg.Client;
const keys = new Map<string, Row>();

beforeAll(async () => {
	testDb = await createTestDatabase();
	world = await createTenancyWorld(testDb.url);
	client = new pg.Client({ connectionString: testDb.url });
	await client.connect();
	for (const [table, spec] of Object.entries(expectations))
		keys.set(table, await spec.seed(client, world));
});
afterAll(async () => {
	await client.end();
	await world.close();
	await testDb.drop();
});

const ident = (name: string) => pg.escapeIdentifier(name);
const qualified = (table: string) => table.split('.').map(ident).join('.');

function where(key: Row, offset: number): { clause: string; values: unknown[] } {
	const columns = Object.keys(key);
	return {
		clause: columns.map((c, i) => `${ident(c)} = $${i + 1 + offset}`).join(' and '),
		values: columns.map((c) => key[c])
	};
}

/** Runs one operation as the persona; true when it went through, false when RLS or grants refused it. */
async function attempt(table: string, persona: Persona, operation: Operation): Promise<boolean> {
	const spec = expectations[table]!;
	const key = keys.get(table)!;
	const claims = world.claims(persona);
	await client.query('begin');
	try {
		// storage.allow_delete_query: what the Storage API sets for its own deletes
		// (Storage refuses a DELETE on its tables without it); then RLS decides.
		await client.query(
			`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true),
			        set_config('storage.allow_delete_query', 'true', true)`,
			[claims.role, JSON.stringify(claims)]
		);
		let sql: string;
		let values: unknown[];
		if (operation === 'insert') {
			const row = spec.insert(world, key);
			const columns = Object.keys(row);
			sql = `insert into ${qualified(table)} (${columns.map(ident).join(', ')})
			       values (${columns.map((_, i) => `$${i + 1}`).join(', ')})`;
			values = columns.map((c) => row[c]);
		} else if (operation === 'update') {
			const columns = Object.keys(spec.update);
			const w = where(key, columns.length);
			sql = `update ${qualified(table)} set ${columns.map((c, i) => `${ident(c)} = $${i + 1}`).join(', ')}
			       where ${w.clause}`;
			values = [...columns.map((c) => spec.update[c]), ...w.values];
		} else {
			const w = where(key, 0);
			sql = `${operation === 'select' ? 'select 1 from' : 'delete from'} ${qualified(table)} where ${w.clause}`;
			values = w.values;
		}
		const result = await client.query(sql, values);
		return result.rowCount === 1;
	} catch (error) {
		// Refused by grants or policies; anything else is a broken expectation.
		if (error instanceof pg.DatabaseError && error.code === '42501') return false;
		throw new Error(`${persona} ${operation} on ${table}: ${(error as Error).message}`, {
			cause: error
		});
	} finally {
		await client.query('rollback');
	}
}

describe('RLS matrix', () => {
	it('declares expectations for exactly the tables in the exposed schemas', async () => {
		const { rows } = await client.query<{ table: string }>(
			`select n.nspname || '.' || c.relname as table
			   from pg_class c join pg_namespace n on n.oid = c.relnamespace
			  where c.relkind in ('r', 'p') and n.nspname = any($1) order by 1`,
			[EXPOSED_SCHEMAS]
		);
		expect(Object.keys(expectations).sort()).toEqual(
			[...rows.map((r) => r.table), ...STORAGE_TABLES].sort()
		);
	});

	for (const table of Object.keys(expectations)) {
		it(`${table} behaves as declared for every persona and operation`, async () => {
			const actual: Record<string, string> = {};
			for (const persona of PERSONAS) {
				let letters = '';
				for (const operation of OPERATIONS) {
					letters += (await attempt(table, persona, operation)) ? operation[0] : '-';
				}
				actual[persona] = letters;
			}
			expect(actual).toEqual(expectations[table]!.expect);
		});
	}
});
