// An HTTP step's API key, token or signing secret reaches the target but never the run
// record nor the definition: both are readable by every member, viewers included. Header
// secrets are saved secrets ({{secret:NAME}}) that the worker fills in at send time.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Definition } from '../../src/lib/automations/definition.ts';
import { withRls } from '../../src/lib/server/db/rls.ts';
import { redactBody, redactHeaders, redactUrl } from '../../src/worker/automations/redact.ts';
import {
	createContact,
	engineWorld,
	publish,
	runDispatchJobs,
	runsOf,
	type EngineWorld
} from './helpers.ts';
import { startTarget, type Target } from './target.ts';

const SECRETS = [
	'sk_live_header_4f9a',
	'tok_header_77e1',
	'query_token_9c2b',
	'url_password_31d0',
	'body_secret_a1b2',
	'nested_signing_c3d4'
];

let w: EngineWorld;
let target: Target;
beforeAll(async () => {
	w = await engineWorld();
	target = await startTarget();
});
afterAll(async () => {
	await target.close();
	await w.close();
});

describe('an HTTP step with secrets', () => {
	it('sends them, and a viewer reading the run records finds none of them', async () => {
		const url = new URL(target.url);
		url.username = 'api';
		url.password = 'url_password_31d0';
		const definition: Definition = {
			trigger: { type: 'event', event: 'contact.created' },
			reentry: { mode: 'every_time' },
			start: 'call',
			steps: [
				{
					id: 'call',
					name: 'Tell the CRM',
					type: 'http_request',
					method: 'POST',
					url: `${url.origin.replace('//', `//${url.username}:${url.password}@`)}/hook?api_key=query_token_9c2b&c={{contact.first_name}}`,
					headers: {
						'X-Api-Key': '{{secret:crm_key}}',
						Authorization: 'Bearer {{secret:crm_token}}',
						Accept: 'application/json'
					},
					body: '{"name": "{{contact.first_name}}", "client_secret": "body_secret_a1b2", "meta": {"signing_secret": "nested_signing_c3d4"}}',
					next: null
				}
			]
		};
		// Saved by a member (automations.write); the definition only names them.
		await withRls(w.world.db, w.world.claims('member'), (trx) =>
			trx
				.insertInto('automation_secrets')
				.values([
					{ org_id: w.world.orgA, name: 'crm_key', value: 'sk_live_header_4f9a' },
					{ org_id: w.world.orgA, name: 'crm_token', value: 'tok_header_77e1' }
				])
				.execute()
		);
		const id = await publish(w, definition);
		await createContact(w, { first_name: 'Ada' });
		await runDispatchJobs(w);
		expect((await runsOf(w, id))[0]).toMatchObject({ status: 'completed' });

		// The target got the real values.
		expect(target.received).toHaveLength(1);
		const [request] = target.received;
		expect(request!.headers['x-api-key']).toBe('sk_live_header_4f9a');
		expect(request!.headers.authorization).toBe('Bearer tok_header_77e1');
		expect(request!.path).toContain('api_key=query_token_9c2b');
		expect(request!.body).toContain('body_secret_a1b2');

		// A viewer reads every run and step run of the organization: no secret in any of them.
		const records = await withRls(w.world.db, w.world.claims('viewer'), async (trx) => {
			const runs = await sql`select * from public.automation_runs`.execute(trx);
			const automations = await sql`select * from public.automations`.execute(trx);
			const versions = await sql`select * from public.automation_versions`.execute(trx);
			const steps = await sql<{
				input: { url: string; headers: Record<string, string>; body: string };
			}>`select * from public.automation_step_runs`.execute(trx);
			return {
				runs: runs.rows,
				automations: automations.rows,
				versions: versions.rows,
				steps: steps.rows
			};
		});
		expect(records.steps).toHaveLength(1);
		const text = JSON.stringify({ runs: records.runs, steps: records.steps });
		for (const secret of SECRETS) expect(text).not.toContain(secret);
		// Header secrets are not in the definitions either: they name saved secrets.
		const definitions = JSON.stringify({ a: records.automations, v: records.versions });
		for (const secret of ['sk_live_header_4f9a', 'tok_header_77e1'])
			expect(definitions).not.toContain(secret);

		expect(JSON.stringify(records.versions)).toContain('Bearer {{secret:crm_token}}');

		// What the record still says: where it went, which headers (secrets by name), the rest of the body.
		const { input } = records.steps[0]!;
		expect(input.url).toBe(
			`${target.url.replace('//', '//[hidden]@')}/hook?api_key=[hidden]&c=Ada`
		);
		expect(input.headers).toMatchObject({
			'x-api-key': '{{secret:crm_key}}',
			authorization: 'Bearer {{secret:crm_token}}',
			accept: 'application/json',
			'content-type': 'application/json',
			'user-agent': 'Growthdesk-Automations/1'
		});
		expect(JSON.parse(input.body)).toEqual({
			name: 'Ada',
			client_secret: '[hidden]',
			meta: { signing_secret: '[hidden]' }
		});
	});
});

describe('redaction', () => {
	it('hides every header value but the plain ones', () => {
		expect(
			redactHeaders({ 'content-type': 'text/plain', 'x-anything': 'v', cookie: 'c=1' })
		).toEqual({ 'content-type': 'text/plain', 'x-anything': '[hidden]', cookie: '[hidden]' });
	});

	it.each([
		[
			'https://u:p@api.example/x?token=1&page=2',
			'https://[hidden]@api.example/x?token=[hidden]&page=2'
		],
		[
			'https://api.example/x?access_token=a&sig=b&Signature=c',
			'https://api.example/x?access_token=[hidden]&sig=[hidden]&Signature=[hidden]'
		],
		['https://api.example/x?q=hello#frag', 'https://api.example/x?q=hello#frag'],
		['not a url', '[hidden]']
	])('URL %s', (input, expected) => {
		expect(redactUrl(input)).toBe(expected);
	});

	it('hides secret-named fields of JSON and form bodies, at any depth', () => {
		expect(redactBody('[{"password":"p","list":[{"apiKey":"k"}],"name":"n"}]')).toBe(
			'[{"password":"[hidden]","list":[{"apiKey":"[hidden]"}],"name":"n"}]'
		);
		expect(redactBody('grant_type=client&client_secret=s')).toBe(
			'grant_type=client&client_secret=[hidden]'
		);
		expect(redactBody('just text')).toBe('just text');
	});
});
