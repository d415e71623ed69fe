// Bad input never answers 500: every page, form action and endpoint found in
// src/routes gets empty, oversized, wrong-typed, NUL-byte, malformed-multipart,
// bad-JSON, badly percent-encoded and deeply nested requests, with valid and
// invalid ids in its path, as a member and as the owner of a seeded
// organization. Any 5xx fails the test and is listed with its request.
//
// Deterministic: the payloads are fixed; only the seeded names are unique per run.
import { createHash, randomBytes } from 'node:crypto';
import {
	expect,
	request as playwrightRequest,
	test,
	type APIRequestContext,
	type Page
} from '@playwright/test';
import { confirmedUser, type Person } from './helpers.ts';
import { discoverRoutes, pathOf, type Route } from './fuzz-routes.ts';
import { seedOrg, uniqueOrgName, withDb } from './tenancy.ts';
import { stack } from './stack.ts';

test.use({ javaScriptEnabled: false });

type Ids = Record<string, string>;

/** One of everything a route can point at, in a fresh organization. */
async function seedWorld(owner: Person, member: Person) {
	const { name, slug } = uniqueOrgName('Fuzz');
	const orgId = await seedOrg({ owner, name, slug, members: [{ person: member, role: 'member' }] });
	const invitationToken = randomBytes(32).toString('base64url');
	const ids = await withDb(async (db) => {
		const one = async (text: string, values: unknown[]) =>
			(await db.query<{ id: string }>(text, values)).rows[0]!.id;
		const contact = await one(
			`insert into public.contacts (org_id, email, first_name, last_name)
			 values ($1, 'fuzz@seed.test', 'Fuzz', 'Seed') returning id`,
			[orgId]
		);
		await db.query(
			`insert into public.contact_fields (org_id, key, label, type) values ($1, 'plan', 'Plan', 'text')`,
			[orgId]
		);
		const tag = await one(
			`insert into public.tags (org_id, name) values ($1, 'Fuzzed') returning id`,
			[orgId]
		);
		await db.query(
			'insert into public.contact_tags (org_id, contact_id, tag_id) values ($1, $2, $3)',
			[orgId, contact, tag]
		);
		const segment = await one(
			`insert into public.segments (org_id, name, rules)
			 values ($1, 'Everyone', '{"kind":"group","match":"all","rules":[]}') returning id`,
			[orgId]
		);
		const automation = await one(
			`insert into public.automations (org_id, name) values ($1, 'Fuzzed automation') returning id`,
			[orgId]
		);
		const version = await one(
			`insert into public.automation_versions (org_id, automation_id, version, definition)
			 values ($1, $2, 1, '{}') returning id`,
			[orgId, automation]
		);
		const run = await one(
			`insert into public.automation_runs (org_id, automation_id, version_id, dedupe_key)
			 values ($1, $2, $3, 'fuzz') returning id`,
			[orgId, automation, version]
		);
		const brand = await one(
			`insert into public.brands (org_id, name) values ($1, 'Fuzz brand') returning id`,
			[orgId]
		);
		const role = await one(
			`insert into public.roles (org_id, name) values ($1, 'Fuzz role') returning id`,
			[orgId]
		);
		await db.query(
			`insert into public.webhook_subscriptions (org_id, url, event_types)
			 values ($1, 'https://example.test/fuzz', '{contact.created}')`,
			[orgId]
		);
		await db.query(
			`insert into public.invitations (org_id, email, role, token_hash, invited_by)
			 values ($1, $2, 'member', $3, $4)`,
			[
				orgId,
				`invited-${randomBytes(4).toString('hex')}@example.test`,
				createHash('sha256').update(invitationToken).digest('hex'),
				owner.id
			]
		);
		return {
			contacts: contact,
			segments: segment,
			automations: automation,
			runs: run,
			brands: brand,
			roles: role
		};
	});
	return { orgId, slug, ids: ids as Ids, invitationToken };
}

/** A signed-in API client; sign-in goes through the login form, as a browser's would. */
async function signedIn(person: Person): Promise<APIRequestContext> {
	const context = await playwrightRequest.newContext({
		baseURL: stack().appUrl,
		// What a browser sends; without `accept: text/html` SvelteKit answers actions as use:enhance.
		extraHTTPHeaders: { origin: stack().appUrl, accept: 'text/html' }
	});
	await signInWith(context, person);
	return context;
}

async function signInWith(context: APIRequestContext, person: Person): Promise<void> {
	const response = await context.post('/login?/signin', {
		form: { email: person.email, password: person.password, redirectTo: '/' },
		maxRedirects: 0
	});
	expect(response.status(), 'sign-in').toBe(303);
}

/** Fields of each form action on a page, with the values the page rendered. */
type Forms = Map<string, [string, string][]>;

async function formsOn(page: Page, html: string): Promise<Forms> {
	await page.setContent(html, { waitUntil: 'domcontentloaded' });
	const found = await page.evaluate(() => {
		const out: { action: string; fields: [string, string][] }[] = [];
		for (const form of Array.from(document.querySelectorAll('form'))) {
			if ((form.getAttribute('method') ?? 'get').toLowerCase() !== 'post') continue;
			const fields: [string, string][] = [];
			for (const el of Array.from(form.elements) as HTMLInputElement[]) {
				if (!el.name || el.type === 'submit' || el.type === 'file') continue;
				if ((el.type === 'checkbox' || el.type === 'radio') && !el.checked) continue;
				fields.push([el.name, el.value ?? '']);
			}
			const actions = [form.getAttribute('action') ?? ''];
			for (const button of Array.from(form.querySelectorAll('[formaction]')))
				actions.push(button.getAttribute('formaction') ?? '');
			for (const action of actions) out.push({ action, fields });
		}
		return out;
	});
	const forms: Forms = new Map();
	for (const { action, fields } of found) {
		const name = action.match(/\?\/([\w$]+)/)?.[1] ?? 'default';
		if (!forms.has(name)) forms.set(name, fields);
	}
	return forms;
}

// ---- payloads -------------------------------------------------------------------------------

type Payload = {
	name: string;
	headers?: Record<string, string>;
	body?: string | Buffer;
	query?: string;
};

const NUL = '\u0000';
const GENERIC_FIELDS = ['id', 'name', 'email', 'role', 'rules', 'definition', 'confirm', 'value'];
const GENERIC_QUERY = [
	'q',
	'cursor',
	'after',
	'before',
	'trail',
	'sort',
	'status',
	'redirectTo',
	'next'
];

function urlencoded(pairs: [string, string][]): string {
	return new URLSearchParams(pairs).toString();
}

/** A urlencoded form; `enhanced` as use:enhance sends it (answered with JSON, no page rendered). */
const form = (name: string, pairs: [string, string][], enhanced = false): Payload => ({
	name,
	headers: {
		'content-type': 'application/x-www-form-urlencoded',
		...(enhanced ? { accept: 'application/json', 'x-sveltekit-action': 'true' } : {})
	},
	body: urlencoded(pairs)
});

/** `[{"kind":"group","match":"all","rules":[ … ]}]`, `depth` groups deep. */
function deepRules(depth: number): string {
	return '{"kind":"group","match":"all","rules":['.repeat(depth) + ']}'.repeat(depth);
}

const DEEP_ARRAY = '['.repeat(5000) + ']'.repeat(5000);
const LONG_CURSOR = 'A'.repeat(300);

function multipart(boundary: string, parts: string): Payload['body'] {
	return Buffer.from(parts.replaceAll('\n', '\r\n').replaceAll('BOUNDARY', boundary));
}

/** Everything a form action or a POST endpoint is sent; `fields` is what its form rendered. */
function bodyPayloads(fields: [string, string][]): Payload[] {
	const names = [...new Set([...fields.map(([n]) => n), ...GENERIC_FIELDS])];
	const base = fields.length ? fields : names.map((n): [string, string] => [n, 'x']);
	const payloads: Payload[] = [
		{ name: 'no body' },
		form('empty form', []),
		form('rendered values', base),
		form(
			'NUL in every field',
			names.map((n) => [n, `a${NUL}b`]),
			true
		),
		form('NUL in field names', [[`na${NUL}me`, 'x']]),
		{
			name: 'bad percent-encoding',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: 'name=%E0%A4%A&email=%ZZ'
		},
		form(
			'every field twice (arrays)',
			names.flatMap((n): [string, string][] => [
				[n, '1'],
				[n, '2']
			]),
			true
		),
		form(
			'wrong types',
			names.map((n) => [n, n === 'rules' || n === 'definition' ? '{"kind":' : 'not-a-number-or-id'])
		),
		form(
			'long values',
			names.map((n) => [n, 'x'.repeat(100_000)]),
			true
		),
		form('oversized body', [...base, ['padding', 'y'.repeat(2_000_000)]], true),
		form(
			'deep JSON in every field',
			names.map((n) => [n, DEEP_ARRAY]),
			true
		),
		form('5,000-deep rules', [...base.filter(([n]) => n !== 'rules'), ['rules', deepRules(5000)]]),
		form('5,000-deep definition', [
			...base.filter(([n]) => n !== 'definition'),
			['definition', `{"steps":${DEEP_ARRAY}}`]
		]),
		{
			name: 'multipart, wrong boundary',
			headers: { 'content-type': 'multipart/form-data; boundary=expected' },
			body: multipart(
				'other',
				'--BOUNDARY\nContent-Disposition: form-data; name="name"\n\nx\n--BOUNDARY--\n'
			)
		},
		{
			name: 'multipart, truncated',
			headers: { 'content-type': 'multipart/form-data; boundary=b0undary' },
			body: multipart('b0undary', '--BOUNDARY\nContent-Disposition: form-data; name="name"\n\nx')
		},
		{
			name: 'multipart, no boundary',
			headers: { 'content-type': 'multipart/form-data' },
			body: 'name=x'
		},
		{
			name: 'multipart, NUL in a field',
			headers: { 'content-type': 'multipart/form-data; boundary=b0undary' },
			body: multipart(
				'b0undary',
				`--BOUNDARY\nContent-Disposition: form-data; name="name"\n\na${NUL}b\n--BOUNDARY\nContent-Disposition: form-data; name="file"; filename="a${NUL}.csv"\nContent-Type: text/csv\n\nemail\nx@y.z\n--BOUNDARY--\n`
			)
		},
		{ name: 'text/plain form', headers: { 'content-type': 'text/plain' }, body: 'name=x' }
	];
	// One field at a time holds the NUL, the others what the page rendered, so it reaches the database.
	for (const [name] of fields) {
		payloads.push(
			form(
				`NUL in ${name}`,
				base.map(([n, v]) => [n, n === name ? `${v}${NUL}` : v])
			)
		);
	}
	return payloads;
}

/** What endpoints (+server.ts) read besides forms: JSON, and an upload's bytes with its name in a header. */
function endpointPayloads(): Payload[] {
	return [
		...bodyPayloads([]),
		{ name: 'bad JSON', headers: { 'content-type': 'application/json' }, body: '{"rules":' },
		{ name: 'JSON null', headers: { 'content-type': 'application/json' }, body: 'null' },
		{
			name: 'JSON with \\u0000',
			headers: { 'content-type': 'application/json' },
			body: `{"rules":{"kind":"group","match":"all","rules":[{"kind":"condition","field":"email","op":"eq","value":"a\\u0000b"}]},"name":"a\\u0000"}`
		},
		{
			name: '5,000-deep JSON rules',
			headers: { 'content-type': 'application/json' },
			body: `{"rules":${deepRules(5000)}}`
		},
		{ name: 'deep JSON array', headers: { 'content-type': 'application/json' }, body: DEEP_ARRAY },
		{
			name: 'X-File-Name badly percent-encoded',
			headers: { 'content-type': 'text/csv', 'x-file-name': '%E0%A4%A.csv' },
			body: 'email\nx@y.z\n'
		},
		{
			name: 'X-File-Name with %00',
			headers: { 'content-type': 'text/csv', 'x-file-name': 'a%00b.csv' },
			body: 'email\nx@y.z\n'
		},
		{
			name: 'file with NUL in its header row',
			headers: { 'content-type': 'text/csv', 'x-file-name': 'nul.csv' },
			body: `em${NUL}ail,name\nx@y.z,a${NUL}\n`
		}
	];
}

/**
 * Query strings for a GET: every parameter at once with a NUL, 300 characters
 * (a cursor too long), bad encodings; then each parameter the route reads alone.
 */
function queryPayloads(route: Route): Payload[] {
	const names = [...new Set([...route.queryNames, ...GENERIC_QUERY])];
	const payloads: Payload[] = [
		{ name: 'NUL in every parameter', query: names.map((n) => `${n}=a%00b`).join('&') },
		{
			name: '300 characters in every parameter',
			query: names.map((n) => `${n}=${LONG_CURSOR}`).join('&')
		},
		{ name: 'bad percent-encoding', query: names.map((n) => `${n}=%E0%A4%A`).join('&') + '&%ZZ=1' },
		{ name: 'every parameter twice', query: names.map((n) => `${n}=1&${n}=2`).join('&') },
		{ name: 'deep JSON', query: `rules=${encodeURIComponent(deepRules(5000))}` }
	];
	for (const n of [...new Set([...route.queryNames, 'cursor', 'after'])]) {
		payloads.push({ name: `NUL in ${n}`, query: `${n}=%00` });
		payloads.push({ name: `300 characters in ${n}`, query: `${n}=${LONG_CURSOR}` });
		payloads.push({
			name: `garbage in ${n}`,
			query: `${n}=${encodeURIComponent('{"v":null,"id":"x"}')}`
		});
	}
	return payloads;
}

// ---- the run --------------------------------------------------------------------------------

const DESTRUCTIVE = /^(delete|remove|leave|erase|discard|revoke|cancel|deactivate)$/;

type Tally = { requests: number; failures: string[]; routes: number; actions: number };

async function send(
	context: APIRequestContext,
	tally: Tally,
	method: string,
	path: string,
	payload: Payload
): Promise<void> {
	const url = payload.query ? `${path}${path.includes('?') ? '&' : '?'}${payload.query}` : path;
	tally.requests++;
	let status = 0;
	let text = '';
	// A kept-alive connection the server closed after refusing a body is tried again once.
	for (let attempt = 1; attempt <= 2 && status === 0; attempt++) {
		try {
			const response = await context.fetch(url, {
				method,
				headers: payload.headers,
				data: payload.body,
				maxRedirects: 0,
				timeout: 30_000
			});
			status = response.status();
			if (status >= 500) text = (await response.text()).replace(/\s+/g, ' ').slice(0, 160);
		} catch (e) {
			if (attempt === 2) {
				status = 599;
				text = `no answer: ${String(e).slice(0, 200)}`;
			}
		}
	}
	if (status >= 500)
		tally.failures.push(`${status} ${method} ${url.slice(0, 160)} [${payload.name}] ${text}`);
}

/**
 * Every route as `person`. `thorough` adds each query parameter alone and bad
 * ids in GET paths (the owner's run; the member's repeats only what differs by role).
 */
async function fuzzAs(
	person: Person,
	world: Awaited<ReturnType<typeof seedWorld>>,
	page: Page,
	thorough: boolean
) {
	const context = await signedIn(person);
	const routes = discoverRoutes();
	const tally: Tally = { requests: 0, failures: [], routes: routes.length, actions: 0 };

	const valid = (param: string, previous: string | undefined) =>
		param === 'org'
			? world.slug
			: param === 'token'
				? world.invitationToken
				: (world.ids[previous ?? ''] ?? '00000000-0000-4000-8000-000000000000');
	const invalidPaths = (route: Route): string[] => {
		if (!route.segments.some((s) => s.startsWith('['))) return [];
		return [
			'no-such-thing',
			'00000000-0000-4000-8000-000000000000',
			'%00',
			'%E0%A4%A',
			'x'.repeat(300)
		].map((bad) => pathOf(route, () => bad));
	};
	/** A POST or a destructive action may have signed us out or removed us: sign in again. */
	const stillSignedIn = async () => {
		const response = await context.get('/account', { maxRedirects: 0 });
		if (response.status() !== 200) await signInWith(context, person);
	};

	const later: (() => Promise<void>)[] = [];
	const last: (() => Promise<void>)[] = [];
	for (const route of routes) {
		const path = pathOf(route, valid);
		await stillSignedIn();
		// GET: the page or endpoint with bad query strings, then bad ids in its path.
		if (route.page || route.methods.includes('GET')) {
			const queries = queryPayloads(route);
			for (const payload of thorough ? queries : queries.slice(0, 5))
				await send(context, tally, 'GET', path, payload);
			for (const bad of thorough ? invalidPaths(route) : [])
				await send(context, tally, 'GET', bad, { name: 'bad id' });
		}
		let forms: Forms = new Map();
		if (route.page && route.actions.length) {
			const response = await context.get(path, { maxRedirects: 0 });
			if (response.ok()) forms = await formsOn(page, await response.text());
		}
		for (const action of route.actions) {
			tally.actions++;
			const target = action === 'default' ? path : `${path}?/${action}`;
			const run = async () => {
				for (const payload of bodyPayloads(forms.get(action) ?? [])) {
					await send(context, tally, 'POST', target, payload);
				}
				for (const bad of invalidPaths(route).slice(1, 3)) {
					const badTarget = action === 'default' ? bad : `${bad}?/${action}`;
					await send(context, tally, 'POST', badTarget, form('bad id, empty form', []));
				}
			};
			// Deleting, leaving and erasing go after everything that needs what they remove.
			if (DESTRUCTIVE.test(action))
				later.push(async () => {
					await stillSignedIn();
					await run();
				});
			else await run();
		}
		for (const method of route.methods.filter((m) => m !== 'GET')) {
			tally.actions++;
			const run = async () => {
				for (const payload of endpointPayloads()) await send(context, tally, method, path, payload);
				for (const bad of invalidPaths(route))
					await send(context, tally, method, bad, { name: 'bad id' });
			};
			// Signing out goes last: everything else needs the session.
			(route.id === '/logout' ? last : later).push(run);
		}
	}
	for (const run of [...later, ...last]) await run();
	await context.dispose();
	return tally;
}

for (const as of ['member', 'owner'] as const) {
	test(`no 5xx on bad input, as ${as === 'owner' ? 'the owner' : 'a member'}`, async ({ page }) => {
		// About 2,000 requests: 3 minutes on an idle 2-core machine, 7 to 12 under a load of 20.
		test.setTimeout(20 * 60_000);
		await page.route('**', (route) => route.abort());
		const owner = await confirmedUser('Fuzz Owner', 'fuzz-owner');
		const member = await confirmedUser('Fuzz Member', 'fuzz-member');
		const world = await seedWorld(owner, member);
		const tally = await fuzzAs(as === 'owner' ? owner : member, world, page, as === 'owner');
		console.log(
			`fuzz as ${as}: ${tally.routes} routes, ${tally.actions} form actions and non-GET endpoints, ` +
				`${tally.requests} requests, ${tally.failures.length} answered 5xx`
		);
		expect(tally.failures, tally.failures.join('\n')).toEqual([]);
	});
}
