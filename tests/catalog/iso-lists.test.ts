// The ISO code lists the app offers (src/lib/iso.ts) are exactly those the
// database accepts (private.iso_currencies(), iso_countries(), iso_languages()),
// so a pick the form allows is never refused by the database, and back.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { COUNTRIES, CURRENCIES, LANGUAGES } from '../../src/lib/iso.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let testDb: TestDatabase;
let client: pg.Client;
beforeAll(async () => {
	testDb = await createTestDatabase();
	client = new pg.Client({ connectionString: testDb.url });
	await client.connect();
});
afterAll(async () => {
	await client.end();
	await testDb.drop();
});

it.each([
	['iso_currencies', CURRENCIES],
	['iso_countries', COUNTRIES],
	['iso_languages', LANGUAGES]
] as const)('private.%s() holds the same codes as the app', async (fn, list) => {
	const { rows } = await client.query<{ codes: string[] }>(`select private.${fn}() as codes`);
	expect([...rows[0]!.codes].sort()).toEqual([...list].sort());
});
