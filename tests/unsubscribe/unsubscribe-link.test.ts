// The unsubscribe link (/u/<token>) of a marketing email, as the page's load and
// action run it for someone who is not signed in: GET only asks, POST (the
// button, or a mail client's one-click POST with no cookies and no Origin of
// ours) withdraws email consent the way the contacts module records it, and a
// tampered token is a 400.
import { isHttpError } from '@sveltejs/kit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { withRls } from '../../src/lib/server/db/index.ts';
import { crossSiteProblem } from '../../src/lib/server/csrf.ts';
import { sign } from '../../src/lib/unsubscribe/token.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createTenancyWorld, type Persona, type TenancyWorld } from '../helpers/tenancy.ts';

const { SECRET } = vi.hoisted(() => ({ SECRET: 'unsubscribe-link-test-secret-123' }));
// The app reads the secret from its environment ($env is fixed when vitest starts).
vi.mock('$env/dynamic/private', () => ({ env: { UNSUBSCRIBE_SECRET: SECRET } }));
type Handler = (event: never) => Promise<unknown>;
const route = (await import('../../src/routes/u/[token]/+page.server.ts')) as unknown as {
	load: Handler;
	actions: { default: Handler };
};

let testDb: TestDatabase;
let pool: pg.Pool;
let w: TenancyWorld;
let contactId: string;
let token: string;

beforeAll(async () => {
	testDb = await createTestDatabase();
	w = await createTenancyWorld(testDb.url);
	pool = new pg.Pool({ connectionString: testDb.url, max: 2 });
	const { rows } = await pool.query<{ id: string }>(
		`insert into public.contacts (org_id, email, first_name) values ($1, 'lee@example.test', 'Lee') returning id`,
		[w.orgA]
	);
	contactId = rows[0]!.id;
	token = sign(SECRET, { orgId: w.orgA, contactId, channel: 'email' });
});
afterAll(async () => {
	await pool?.end();
	await w?.close();
	await testDb?.drop();
});

/** What SvelteKit hands the page for a request with no session (or a signed-in outsider). */
function eventFor(t: string, method: 'GET' | 'POST', persona: Persona = 'anon') {
	const url = new URL(`http://app.test/u/${t}`);
	return {
		url,
		params: { token: t },
		request: new Request(url, {
			method,
			...(method === 'POST'
				? {
						headers: { 'content-type': 'application/x-www-form-urlencoded' },
						body: 'List-Unsubscribe=One-Click'
					}
				: {})
		}),
		locals: {
			db: <T>(fn: Parameters<typeof withRls<T>>[2]) => withRls(w.db, w.claims(persona), fn)
		}
	} as never;
}

async function consent() {
	const { rows } = await pool.query<{ status: string; source: string; recorded_by: string }>(
		`select status::text, source, recorded_by from public.consent_records
		  where contact_id = $1 and channel = 'email' order by id`,
		[contactId]
	);
	return rows;
}

async function statusStatus() {
	const { rows } = await pool.query<{ status: string; events: number }>(
		`select c.status::text,
		        (select count(*)::int from public.events e
		          where e.subject_id = c.id and e.type = 'consent.changed') as events
		   from public.contacts c where c.id = $1`,
		[contactId]
	);
	return rows[0]!;
}

async function statusOf(promise: Promise<unknown>): Promise<number> {
	try {
		await promise;
	} catch (e) {
		if (isHttpError(e)) return e.status;
		throw e;
	}
	return 200;
}

describe('GET /u/<token>', () => {
	it('names the organization and changes nothing (link scanners follow links)', async () => {
		const data = await route.load(eventFor(token, 'GET'));
		expect(data).toEqual({ orgName: 'Acme' });
		expect(await consent()).toEqual([]);
		expect((await statusStatus()).status).toBe('subscribed');
	});

	it('is a 400 for a tampered, truncated or foreign token', async () => {
		const other = sign('another-secret-entirely-1234', {
			orgId: w.orgA,
			contactId,
			channel: 'email'
		});
		for (const bad of [
			token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'),
			token.slice(0, 40),
			other,
			'x'
		]) {
			expect(await statusOf(route.load(eventFor(bad, 'GET')))).toBe(400);
			expect(await statusOf(route.actions.default(eventFor(bad, 'POST')))).toBe(400);
		}
		expect(await consent()).toEqual([]);
	});
});

describe('POST /u/<token>', () => {
	it('one-click from a mail client (no cookies, no Origin) passes the cross-site check', () => {
		const oneClick = new Request(`http://app.test/u/${token}`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: 'List-Unsubscribe=One-Click'
		});
		expect(crossSiteProblem(oneClick, new URL(oneClick.url))).toBeNull();
		// Every other form post from elsewhere is still refused, as SvelteKit refuses it.
		for (const path of ['/acme/contacts', '/u/x/y', '/login', '/u']) {
			const r = new Request(`http://app.test${path}`, {
				method: 'POST',
				headers: { 'content-type': 'multipart/form-data; boundary=x', origin: 'https://evil.test' },
				body: ''
			});
			expect(crossSiteProblem(r, new URL(r.url))).toBe(
				'Cross-site POST form submissions are forbidden'
			);
		}
		const same = new Request('http://app.test/acme/contacts', {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://app.test' }
		});
		expect(crossSiteProblem(same, new URL(same.url))).toBeNull();
	});

	// SvelteKit's own check (kit/src/runtime/server/respond.js), case by case, for an
	// ordinary action: svelte.config.js turned it off, so this one must refuse the same.
	it.each([
		['POST', 'application/x-www-form-urlencoded', 'https://evil.test', 403],
		['POST', 'application/x-www-form-urlencoded', null, 403], // no Origin at all
		['POST', 'application/x-www-form-urlencoded', 'null', 403], // sandboxed iframe
		['POST', 'Multipart/Form-Data; boundary=x', 'https://evil.test', 403],
		['POST', 'text/plain;charset=UTF-8', 'https://evil.test', 403],
		['POST', 'application/x-sveltekit-formdata', 'https://evil.test', 403],
		['PUT', 'application/x-www-form-urlencoded', 'https://evil.test', 403],
		['DELETE', 'text/plain', 'https://evil.test', 403],
		['POST', 'application/json', 'https://evil.test', null], // needs CORS preflight
		['POST', 'application/x-www-form-urlencoded', 'http://app.test:8080', 403], // other port
		['POST', 'application/x-www-form-urlencoded', 'https://app.test', 403], // other scheme
		['POST', 'application/x-www-form-urlencoded', 'http://app.test', null] // same origin
	])('%s %s from %s to an ordinary action: %s', (method, type, origin, refused) => {
		const headers: Record<string, string> = { 'content-type': type };
		if (origin) headers.origin = origin;
		const r = new Request('http://app.test/acme/settings/branding', { method, headers });
		expect(crossSiteProblem(r, new URL(r.url))).toBe(
			refused ? `Cross-site ${method} form submissions are forbidden` : null
		);
	});

	it('withdraws email consent as consent evidence: unsubscribed, consent.changed, once', async () => {
		expect(await route.actions.default(eventFor(token, 'POST'))).toEqual({ unsubscribed: 'Acme' });
		expect(await consent()).toEqual([
			{ status: 'withdrawn', source: 'Unsubscribe link in an email', recorded_by: null }
		]);
		expect(await statusStatus()).toEqual({ status: 'unsubscribed', events: 1 });
		// A second click (or a signed-in outsider clicking) records nothing new.
		expect(await route.actions.default(eventFor(token, 'POST', 'outsider'))).toEqual({
			unsubscribed: 'Acme'
		});
		expect(await consent()).toHaveLength(1);
	});

	it('the database path is narrow: anon can withdraw email consent through it and nothing else', async () => {
		const client = await pool.connect();
		try {
			await client.query('begin');
			await client.query('set local role anon');
			const denied = await client
				.query(
					`insert into public.consent_records (org_id, contact_id, channel, status, source)
					 values ($1, $2, 'email', 'granted', 'x')`,
					[w.orgA, contactId]
				)
				.then(
					() => 'inserted',
					(e: { code: string }) => e.code
				);
			expect(denied).toBe('42501');
		} finally {
			await client.query('rollback');
			client.release();
		}
		// Security definer functions bypass RLS: of the app's own schemas' ones, anon
		// reaches only these three (private stays out of its reach altogether).
		const { rows } = await pool.query<{ fn: string }>(
			`select p.oid::regprocedure::text as fn from pg_proc p
			  where p.pronamespace in ('private'::regnamespace, 'unsubscribe'::regnamespace)
			    and p.prosecdef
			    and has_schema_privilege('anon', p.pronamespace, 'usage')
			    and has_function_privilege('anon', p.oid, 'execute')
			  order by 1`
		);
		expect(rows.map((r) => r.fn)).toEqual([
			'unsubscribe.message_unsubscribed(uuid,uuid,uuid)',
			'unsubscribe.org_name(uuid)',
			'unsubscribe.withdraw_email(uuid,uuid)'
		]);
	});
});
