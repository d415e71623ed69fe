// Jobs are enqueued from SQL in the transaction of the change: they commit or
// roll back with it.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
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

const jobs = async (task: string) =>
	(
		await client.query<{ n: number }>(
			`select count(*)::int as n from graphile_worker.jobs where task_identifier = $1`,
			[task]
		)
	).rows[0]!.n;

it('enqueues with the transaction and drops the job on rollback', async () => {
	await client.query('begin');
	await client.query(`select private.enqueue_job('test_rolled_back', '{"a": 1}')`);
	await client.query('rollback');
	expect(await jobs('test_rolled_back')).toBe(0);

	await client.query('begin');
	await client.query(`select private.enqueue_job('test_committed', '{"a": 1}', 'key-1')`);
	await client.query(`select private.enqueue_job('test_committed', '{"a": 2}', 'key-1')`);
	await client.query('commit');
	// A job key replaces the pending job rather than adding a second one.
	expect(await jobs('test_committed')).toBe(1);
});
