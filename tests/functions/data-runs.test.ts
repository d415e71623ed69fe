// The data-runs edge function through the local functions runtime and the
// platform's data-provider stand-in, against the database: fixture runs
// (success, partial, failed, timed out) land as the run log says; a bad
// signature, a body that is not a run and a status going backwards are
// refused with a 4xx, nothing written, and the run log says why.
import { Hono } from 'hono';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDataProvider, type RunningDataProvider } from '../../platform/dataprovider/index.ts';
import {
	createFunctionsRuntime,
	mountFunctions,
	type FunctionsRuntime
} from '../../platform/functions/index.ts';
import { createKeys } from '../../platform/keys.ts';
import { startHttp, type RunningHttp } from '../../platform/mailbox/http.ts';
import { signatureHeader } from '../../src/lib/webhooks/signature.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const SECRET = 'data-runs-test-secret';
let testDb: TestDatabase;
let runtime: FunctionsRuntime;
let http: RunningHttp;
let provider: RunningDataProvider;
let db: pg.Pool;
let webhookUrl: string;

beforeAll(async () => {
	testDb = await createTestDatabase();
	db = new pg.Pool({ connectionString: testDb.url, max: 2 });
	const keys = await createKeys();
	runtime = createFunctionsRuntime({
		functionsDir: 'supabase/functions',
		configToml: 'supabase/config.toml',
		env: {
			SUPABASE_URL: 'http://127.0.0.1:1',
			SUPABASE_ANON_KEY: keys.anonKey,
			SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
			SUPABASE_DB_URL: testDb.url,
			DATA_RUNS_WEBHOOK_SECRET: SECRET
		},
		keys,
		onLog: (line) => console.error(line)
	});
	const app = new Hono();
	mountFunctions(app, runtime);
	http = await startHttp(app, { port: 0, host: '127.0.0.1', what: 'test gateway', envVar: 'none' });
	webhookUrl = `http://127.0.0.1:${http.port}/functions/v1/data-runs`;
	provider = await startDataProvider({ httpPort: 0, webhookUrl, secret: SECRET });
}, 120_000);
afterAll(async () => {
	await provider?.stop();
	await http?.close();
	await runtime?.stop();
	await db?.end();
	await testDb?.drop();
});

const runRow = async (runId: string) =>
	(
		await db.query<{
			id: string;
			status: string;
			profiles_created: number;
			profiles_updated: number;
			items_rejected: number;
			message: string | null;
		}>(
			`select id, status, profiles_created, profiles_updated, items_rejected, message
			   from public.data_runs where provider = 'standin' and run_id = $1`,
			[runId]
		)
	).rows[0];

const logOf = async (id: string) =>
	(
		await db.query<{ kind: string; message: string }>(
			'select kind, message from public.data_run_entries where run_id = $1 order by id',
			[id]
		)
	).rows;

function post(body: unknown, opts: { secret?: string; at?: Date } = {}) {
	const raw = JSON.stringify(body);
	return fetch(webhookUrl, {
		method: 'POST',
		headers: {
			'content-type': 'application/json',
			'x-growthdesk-signature': signatureHeader(opts.secret ?? SECRET, raw, opts.at)
		},
		body: raw
	});
}

describe('fixture runs from the stand-in provider', () => {
	it('success: every profile lands, then a second success updates their followers', async () => {
		const first = await provider.play('success');
		expect(first.deliveries.map((d) => [d.status, d.answer])).toEqual([
			['running', 200],
			['succeeded', 200]
		]);
		expect(await runRow(first.runId)).toMatchObject({
			status: 'succeeded',
			profiles_created: 24,
			profiles_updated: 0,
			items_rejected: 0
		});
		const second = await provider.play('success');
		expect(await runRow(second.runId)).toMatchObject({ profiles_created: 0, profiles_updated: 24 });
		const sent = second.items.find((i) => i.external_id === 'demo-instagram-1')!;
		const { rows } = await db.query<{ followers: string; points: string }>(
			`select p.followers, (select count(*) from public.marketplace_profile_metrics m where m.profile_id = p.id) points
			   from public.marketplace_profiles p where p.platform = 'instagram' and p.external_id = 'demo-instagram-1'`
		);
		expect(rows).toEqual([{ followers: String(sent.followers), points: '2' }]);
	});

	it('partial: good profiles land, bad ones are refused with the reason in the run log', async () => {
		const played = await provider.play('partial');
		const run = (await runRow(played.runId))!;
		expect(run).toMatchObject({ status: 'succeeded', profiles_updated: 20, items_rejected: 4 });
		const refused = (await logOf(run.id))
			.filter((e) => e.kind === 'rejected')
			.map((e) => e.message);
		expect(refused).toEqual([
			'Unknown platform "myspace".',
			'Followers cannot be negative.',
			'The handle "twin.creator" appears 2 times in this run.',
			'The handle "twin.creator" appears 2 times in this run.'
		]);
	});

	it('failed and timed out: the run says so; what was delivered before the time limit stays', async () => {
		const failed = await provider.play('failed');
		expect(await runRow(failed.runId)).toMatchObject({
			status: 'failed',
			message: 'The scraper crashed (HTTP 503 from the platform).',
			profiles_created: 0,
			profiles_updated: 0
		});
		const timedOut = await provider.play('timed_out');
		expect(await runRow(timedOut.runId)).toMatchObject({
			status: 'timed_out',
			profiles_updated: 8
		});
	});
});

describe('refusals', () => {
	it('refuses a bad signature (401) and logs it on the run it names', async () => {
		const played = await provider.play('failed');
		const res = await post(
			{ provider: 'standin', run_id: played.runId, status: 'succeeded', items: [] },
			{ secret: 'wrong-secret' }
		);
		expect(res.status).toBe(401);
		expect(await res.json()).toMatchObject({ error: 'invalid_signature' });
		const run = (await runRow(played.runId))!;
		expect(run.status).toBe('failed');
		expect((await logOf(run.id)).at(-1)).toEqual({
			kind: 'refused',
			message: 'A delivery was refused: signature signature does not match.'
		});
	});

	it('refuses a signature older than five minutes (replay)', async () => {
		const res = await post(
			{ provider: 'standin', run_id: 'replayed', status: 'running' },
			{ at: new Date(Date.now() - 10 * 60_000) }
		);
		expect(res.status).toBe(401);
		expect(await runRow('replayed')).toBeUndefined();
	});

	it('refuses a status that goes backwards (409) and keeps the run as it was', async () => {
		await post({ provider: 'standin', run_id: 'backwards-1', status: 'SUCCEEDED' });
		const res = await post({ provider: 'standin', run_id: 'backwards-1', status: 'RUNNING' });
		expect(res.status).toBe(409);
		expect(await res.json()).toMatchObject({
			error: 'status_backwards',
			message: 'The run already finished (succeeded); it cannot become running.'
		});
		expect((await runRow('backwards-1'))!.status).toBe('succeeded');
	});

	it('answers a body that is not a run with 422, the field and the reason', async () => {
		const res = await post({ provider: 'standin', run_id: 'x', status: 'exploded' });
		expect(res.status).toBe(422);
		expect(await res.json()).toMatchObject({ error: 'invalid_body', issues: [{ path: 'status' }] });
		const unknownOrg = await post({
			provider: 'standin',
			run_id: 'org-less',
			status: 'running',
			org_id: '00000000-0000-4000-8000-000000000000'
		});
		expect(unknownOrg.status).toBe(422);
		expect(await unknownOrg.json()).toMatchObject({ issues: [{ path: 'org_id' }] });
		expect(await runRow('org-less')).toBeUndefined();
	});
});
