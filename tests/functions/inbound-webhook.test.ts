// The inbound-webhook edge function through the local functions runtime,
// against the database: a bad signature is refused and logged; a signed request
// creates (then updates) the contact, so contact events fire, and records
// webhook.received, which starts automations with the incoming-webhook trigger.
import { Hono } from 'hono';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
	createFunctionsRuntime,
	mountFunctions,
	type FunctionsRuntime
} from '../../platform/functions/index.ts';
import { createKeys } from '../../platform/keys.ts';
import { withRls } from '../../src/lib/server/db/rls.ts';
import { signatureHeader } from '../../src/lib/webhooks/signature.ts';
import {
	engineWorld,
	publish,
	runDispatchJobs,
	runsOf,
	type EngineWorld
} from '../automations/helpers.ts';

let w: EngineWorld;
let runtime: FunctionsRuntime;
let endpoint: { id: string; secret: string };
const app = new Hono();

beforeAll(async () => {
	w = await engineWorld();
	const keys = await createKeys();
	runtime = createFunctionsRuntime({
		functionsDir: 'supabase/functions',
		configToml: 'supabase/config.toml',
		env: {
			SUPABASE_URL: 'http://127.0.0.1:1',
			SUPABASE_ANON_KEY: keys.anonKey,
			SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
			SUPABASE_DB_URL: w.testDb.url
		},
		keys,
		onLog: (line) => console.error(line)
	});
	mountFunctions(app, runtime);
	endpoint = await withRls(w.world.db, w.world.claims('admin'), (trx) =>
		trx
			.insertInto('inbound_webhooks')
			.values({ org_id: w.world.orgA, name: 'Shop', source: 'shop' })
			.returning(['id', 'secret'])
			.executeTakeFirstOrThrow()
	);
});
afterAll(async () => {
	await runtime.stop();
	await w.close();
});

function post(body: unknown, secret = endpoint.secret) {
	const raw = JSON.stringify(body);
	return app.fetch(
		new Request(`http://gateway.test/functions/v1/inbound-webhook/${endpoint.id}`, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				'x-growthdesk-signature': signatureHeader(secret, raw)
			},
			body: raw
		})
	);
}

const requestsLog = async () =>
	(
		await w.pool.query<{ status_code: number; error: string | null }>(
			'select status_code, error from public.inbound_webhook_requests where endpoint_id = $1 order by id',
			[endpoint.id]
		)
	).rows;

const eventsOf = async (contactId: string) =>
	(
		await w.pool.query<{ type: string; payload: Record<string, unknown> }>(
			`select type, payload from public.events where subject_id = $1 order by id`,
			[contactId]
		)
	).rows;

it('refuses a bad signature (401) and logs it; nothing is written', async () => {
	const res = await post({ email: 'mallory@example.test' }, 'f'.repeat(64));
	expect(res.status).toBe(401);
	expect(await res.json()).toMatchObject({ error: 'invalid_signature' });
	expect(await requestsLog()).toEqual([
		{ status_code: 401, error: 'Signature refused: signature does not match.' }
	]);
	const { rows } = await w.pool.query(
		`select 1 from public.contacts where email = 'mallory@example.test'`
	);
	expect(rows).toHaveLength(0);
});

it('creates the contact from a signed request, then updates it; events fire and automations start', async () => {
	const automation = await publish(w, {
		trigger: { type: 'webhook', endpointId: endpoint.id },
		reentry: { mode: 'every_time' },
		start: 'check',
		steps: [
			{
				id: 'check',
				name: 'Big order?',
				type: 'condition',
				condition: {
					kind: 'data',
					match: 'all',
					checks: [{ path: 'event.payload.data.total', op: 'gt', value: 100 }]
				},
				then: null,
				else: null
			}
		]
	});

	let res = await post({
		email: 'Ada@Example.test',
		first_name: 'Ada',
		tags: ['Customer'],
		data: { total: 250 }
	});
	expect(res.status).toBe(200);
	const first = (await res.json()) as { contact_id: string; created: boolean };
	expect(first.created).toBe(true);
	const contact = (
		await w.pool.query<{ email: string; first_name: string; source: string }>(
			`select email::text, first_name, source from public.contacts where id = $1`,
			[first.contact_id]
		)
	).rows[0];
	expect(contact).toEqual({ email: 'ada@example.test', first_name: 'Ada', source: 'shop' });

	res = await post({ email: 'ada@example.test', last_name: 'Lovelace', data: { total: 5 } });
	const second = (await res.json()) as { contact_id: string; created: boolean };
	expect(second).toMatchObject({ contact_id: first.contact_id, created: false });

	const events = await eventsOf(first.contact_id);
	expect(events.map((e) => e.type)).toEqual([
		'contact.created',
		'tag.added',
		'webhook.received',
		'contact.updated',
		'webhook.received'
	]);
	expect(events[2]!.payload).toMatchObject({
		endpoint_id: endpoint.id,
		created: true,
		data: { total: 250 }
	});

	await runDispatchJobs(w);
	const runs = await runsOf(w, automation);
	expect(runs.map((r) => r.steps[0]!.output)).toEqual(
		expect.arrayContaining([{ branch: 'then' }, { branch: 'else' }])
	);
	expect((await requestsLog()).map((r) => r.status_code)).toEqual([401, 200, 200]);
});

it('answers 422 with the field for a body that does not fit', async () => {
	const res = await post({ email: 'not-an-email', nickname: 'x' });
	expect(res.status).toBe(422);
	const body = (await res.json()) as { issues: Array<{ path: string }> };
	expect(body.issues.map((i) => i.path).sort()).toEqual(['', 'email']);
	expect((await requestsLog()).at(-1)!.status_code).toBe(422);
});

it('answers 422 naming the custom field for a value of the wrong type or an unknown key; nothing is stored', async () => {
	await withRls(w.world.db, w.world.claims('admin'), (trx) =>
		trx
			.insertInto('contact_fields')
			.values({ org_id: w.world.orgA, key: 'score', label: 'Score', type: 'number' })
			.execute()
	);
	for (const [custom, path, reason] of [
		[{ score: 'high' }, 'custom.score', 'Custom field "score" expects a number.'],
		[
			{ shoe_size: 42 },
			'custom.shoe_size',
			'Custom field "shoe_size" is not a custom field of this organization.'
		]
	] as const) {
		const res = await post({ email: 'typed@example.test', custom });
		expect(res.status).toBe(422);
		expect(await res.json()).toMatchObject({
			error: 'invalid_body',
			issues: [{ path, message: reason }]
		});
	}
	const { rows } = await w.pool.query(
		`select 1 from public.contacts where email = 'typed@example.test'`
	);
	expect(rows).toHaveLength(0);
	const fixed = await post({ email: 'typed@example.test', custom: { score: 7 } });
	expect(fixed.status).toBe(200);
});
