// The ISO code lists the app offers (src/lib/iso.ts) are exactly those the
// database accepts (public.currencies, private.iso_countries(), iso_languages()),
// so a pick the form allows is never refused by the database, and back. The
// currencies module is generated from the table; this guards a stale copy.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CURRENCIES, CURRENCY_DETAILS } from '../../src/lib/currencies.ts';
import { COUNTRIES, LANGUAGES } from '../../src/lib/iso.ts';
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

it('public.currencies holds the same codes, names and minor units as the app', async () => {
	const { rows } = await client.query<{ code: string; name: string; minor_units: number }>(
		'select code, name, minor_units from public.currencies order by code'
	);
	expect(rows.map((r) => r.code)).toEqual([...CURRENCIES]);
	expect(
		Object.fromEntries(rows.map((r) => [r.code, { name: r.name, minorUnits: r.minor_units }]))
	).toEqual(CURRENCY_DETAILS);
});

it.each([
	['iso_countries', COUNTRIES],
	['iso_languages', LANGUAGES]
] as const)('private.%s() holds the same codes as the app', async (fn, list) => {
	const { rows } = await client.query<{ codes: string[] }>(`select private.${fn}() as codes`);
	expect([...rows[0]!.codes].sort()).toEqual([...list].sort());
});
