// The "invoke an edge function" step through the local functions runtime: the
// worker calls /functions/v1/<name> with the service role key (JWT verified),
// the function's answer becomes the step's output; a refused call fails the run.
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
	createFunctionsRuntime,
	mountFunctions,
	type FunctionsRuntime
} from '../../platform/functions/index.ts';
import { createKeys, type PlatformKeys } from '../../platform/keys.ts';
import {
	engineWorld,
	publish,
	runDispatchJobs,
	runsOf,
	createContact,
	type EngineWorld
} from '../automations/helpers.ts';

let w: EngineWorld;
let keys: PlatformKeys;
let runtime: FunctionsRuntime;
let server: ServerType;

beforeAll(async () => {
	keys = await createKeys();
	// The gateway listens on any free port first; the runtime and the worker learn it from there.
	const app = new Hono();
	server = await new Promise<ServerType>((resolve) => {
		const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
	});
	const port = (server.address() as AddressInfo).port;
	w = await engineWorld({
		config: {
			functionsUrl: `http://127.0.0.1:${port}/functions/v1`,
			functionsKey: keys.serviceRoleKey
		}
	});
	runtime = createFunctionsRuntime({
		functionsDir: 'tests/functions/fixtures',
		configToml: 'tests/functions/fixtures/config.toml',
		env: {
			SUPABASE_URL: `http://127.0.0.1:${port}`,
			SUPABASE_ANON_KEY: keys.anonKey,
			SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
			SUPABASE_DB_URL: w.testDb.url
		},
		keys
	});
	mountFunctions(app, runtime);
});
afterAll(async () => {
	await runtime.stop();
	await new Promise((r) => server.close(r));
	await w.close();
});

it('posts the merged body with the service role key and records the answer', async () => {
	const id = await publish(w, {
		trigger: { type: 'event', event: 'contact.created' },
		reentry: { mode: 'every_time' },
		start: 'fn',
		steps: [
			{
				id: 'fn',
				name: 'Score the lead',
				type: 'invoke_function',
				functionName: 'echo',
				body: '{"name": "{{contact.first_name}}"}'
			}
		]
	});
	await createContact(w, { first_name: 'Lin' });
	await runDispatchJobs(w);
	const [run] = await runsOf(w, id);
	expect(run).toMatchObject({ status: 'completed' });
	const output = run!.steps[0]!.output as { status: number; body: string };
	expect(output.status).toBe(200);
	expect(JSON.parse(output.body)).toMatchObject({
		method: 'POST',
		path: '/echo',
		body: '{"name": "Lin"}'
	});
});

it('a call the gateway refuses (bad key) fails the run at once, with the status', async () => {
	w.engine.config.functionsKey = 'not-a-jwt';
	const id = await publish(w, {
		trigger: { type: 'event', event: 'contact.created' },
		reentry: { mode: 'every_time' },
		start: 'fn',
		steps: [{ id: 'fn', name: 'Call echo', type: 'invoke_function', functionName: 'echo' }]
	});
	await createContact(w);
	await runDispatchJobs(w);
	const [run] = await runsOf(w, id);
	expect(run).toMatchObject({ status: 'failed', failed_step: 'fn' });
	expect(run!.error).toMatch(/^Step "Call echo" failed after 1 attempt: HTTP 401/);
});
