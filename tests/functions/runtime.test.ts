// The local edge functions runtime (platform/functions) with fixture functions:
// JWT verification as Supabase does it by default (and verify_jwt = false),
// the path and environment a function sees, boot failures, disabled functions.
import { Hono } from 'hono';
import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	createFunctionsRuntime,
	mountFunctions,
	type FunctionsRuntime
} from '../../platform/functions/index.ts';
import { createKeys, type PlatformKeys } from '../../platform/keys.ts';

const fixtures = 'tests/functions/fixtures';
let keys: PlatformKeys;
let runtime: FunctionsRuntime;
const app = new Hono();

beforeAll(async () => {
	keys = await createKeys();
	runtime = createFunctionsRuntime({
		functionsDir: fixtures,
		configToml: `${fixtures}/config.toml`,
		env: {
			SUPABASE_URL: 'http://127.0.0.1:1',
			SUPABASE_ANON_KEY: keys.anonKey,
			SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
			SUPABASE_DB_URL: 'postgresql://nobody@127.0.0.1:1/none'
		},
		keys
	});
	mountFunctions(app, runtime);
});
afterAll(() => runtime.stop());

const call = (path: string, init: RequestInit = {}) =>
	app.fetch(new Request(`http://gateway.test/functions/v1/${path}`, init));

async function userToken(opts: { expiresIn?: string; key?: PlatformKeys } = {}): Promise<string> {
	const signer = opts.key ?? keys;
	return new SignJWT({ role: 'authenticated', aud: 'authenticated' })
		.setProtectedHeader({ alg: 'ES256', kid: signer.signingKey.kid!, typ: 'JWT' })
		.setSubject('00000000-0000-4000-8000-000000000001')
		.setIssuedAt()
		.setExpirationTime(opts.expiresIn ?? '1h')
		.sign(await importJWK(signer.signingKey, 'ES256'));
}

describe('JWT verification (verify_jwt defaults to true)', () => {
	it('refuses requests without a valid bearer token, in Supabase words', async () => {
		let res = await call('echo');
		expect(res.status).toBe(401);
		expect(await res.json()).toEqual({ msg: 'Error: Missing authorization header' });
		res = await call('echo', { headers: { authorization: 'Basic abc' } });
		expect(await res.json()).toEqual({ msg: "Error: Auth header is not 'Bearer {token}'" });
		res = await call('echo', {
			headers: { authorization: `Bearer ${await userToken({ key: await createKeys() })}` }
		});
		expect([res.status, await res.json()]).toEqual([401, { msg: 'Invalid JWT' }]);
		res = await call('echo', {
			headers: { authorization: `Bearer ${await userToken({ expiresIn: '-1m' })}` }
		});
		expect(res.status).toBe(401);
	});

	it('accepts the anon key and user sessions; the function sees its path and Supabase env', async () => {
		let res = await call('echo/orders/42?expand=1', {
			headers: { authorization: `Bearer ${keys.anonKey}` }
		});
		expect(res.status).toBe(200);
		const seen = (await res.json()) as Record<string, unknown>;
		expect(seen).toMatchObject({
			method: 'GET',
			path: '/echo/orders/42',
			search: '?expand=1',
			dbUrlSet: true
		});
		expect(seen.env).toEqual([
			'SUPABASE_ANON_KEY',
			'SUPABASE_DB_URL',
			'SUPABASE_SERVICE_ROLE_KEY',
			'SUPABASE_URL'
		]);

		res = await call('echo', {
			method: 'POST',
			headers: { authorization: `Bearer ${await userToken()}`, 'content-type': 'application/json' },
			body: '{"hello":"world"}'
		});
		const posted = (await res.json()) as Record<string, unknown>;
		expect(posted).toMatchObject({ method: 'POST', body: '{"hello":"world"}' });
		// One warm process: module state survives between requests.
		expect(posted.calls).toBe(2);
	});
});

describe('functions', () => {
	it('serves verify_jwt = false functions without a token', async () => {
		const res = await call('open');
		expect(res.status).toBe(200);
	});

	it('answers 404 for unknown and disabled functions, 503 when one cannot boot', async () => {
		for (const name of ['nope', 'off']) {
			const res = await call(name, { headers: { authorization: `Bearer ${keys.anonKey}` } });
			expect([res.status, await res.text()]).toEqual([404, 'Function not found']);
		}
		const res = await call('broken');
		expect(res.status).toBe(503);
		expect(await res.json()).toEqual({
			code: 'BOOT_ERROR',
			message: 'Worker failed to boot (please check logs)'
		});
	});
});
