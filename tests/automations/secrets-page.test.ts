// Settings → Automation secrets, through the page's load and actions as
// SvelteKit calls them, against a real database under RLS: an automation
// editor saves, replaces and deletes secrets and sees names, dates and which
// automations use each; a viewer can neither see the page nor change a secret;
// no answer (load data, action results, failures included) ever carries a value.
import * as devalue from 'devalue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as automations from '../../src/lib/server/automations/index.ts';
import { withRls, type Trx } from '../../src/lib/server/db/rls.ts';
import * as orgs from '../../src/lib/server/orgs/index.ts';
import { actions, load } from '../../src/routes/(app)/[org=slug]/settings/secrets/+page.server.ts';
import type { Persona } from '../helpers/tenancy.ts';
import { engineWorld, publish, type EngineWorld } from './helpers.ts';

const VALUE = 'sk_live_page_never_echoed_91c2';
const NEW_VALUE = 'sk_live_page_replaced_77ab';

let w: EngineWorld;
let slug: string;
beforeAll(async () => {
	w = await engineWorld();
	const { rows } = await w.pool.query<{ slug: string }>(
		`select slug from public.organizations where id = $1`,
		[w.world.orgA]
	);
	slug = rows[0]!.slug;
});
afterAll(async () => {
	await w.close();
});

type Who = Exclude<Persona, 'anon'>;

/** What SvelteKit hands the page's load and actions (the parts they read). */
async function pageEvent(who: Who, form?: Record<string, string>) {
	const user = w.world.users[who];
	const db = <T>(fn: (trx: Trx) => Promise<T>) => withRls(w.world.db, w.world.claims(who), fn);
	const org = await db((trx) => orgs.findBySlug(trx, slug, user.id));
	const permissions = org ? await db((trx) => orgs.permissionsOf(trx, org.id, user.id)) : [];
	const url = new URL(`http://app.test/${slug}/settings/secrets`);
	return {
		params: { org: slug },
		url,
		route: { id: '/(app)/[org=slug]/settings/secrets' },
		request: form
			? new Request(url, { method: 'POST', body: new URLSearchParams(form) })
			: new Request(url),
		locals: { user: { id: user.id, email: '' }, db },
		parent: () => Promise.resolve({ org, permissions })
	} as never;
}

type Answer = { status?: number; data?: unknown } | Record<string, unknown>;
const act = async (name: keyof typeof actions, who: Who, form: Record<string, string>) =>
	(await actions[name]!(await pageEvent(who, form))) as Answer;
/** Everything an answer would send to the browser, as text. */
const sent = (answer: unknown) =>
	devalue.stringify(
		answer && typeof answer === 'object' && 'status' in answer && 'data' in answer
			? answer.data
			: answer
	);
const statusOf = (answer: Answer) => ('status' in answer ? answer.status : 200);

async function secretsNow() {
	return withRls(w.world.db, w.world.claims('member'), (trx) =>
		automations.listSecrets(trx, w.world.orgA)
	);
}
async function storedValue(name: string) {
	const { rows } = await w.pool.query<{ value: string }>(
		`select value from public.automation_secrets where org_id = $1 and name = $2`,
		[w.world.orgA, name]
	);
	return rows[0]?.value;
}

describe('the secrets page', () => {
	it('saves a secret for an automation editor and never sends its value back', async () => {
		const answer = await act('add', 'member', { name: 'crm_key', value: VALUE });
		expect(statusOf(answer)).toBe(200);
		expect(sent(answer)).toContain('is saved');
		expect(sent(answer)).not.toContain(VALUE);
		expect(await storedValue('crm_key')).toBe(VALUE);

		const page = await load(await pageEvent('member'));
		expect(sent(page)).not.toContain(VALUE);
		expect((page as { secrets: automations.SecretSummary[] }).secrets).toMatchObject([
			{ name: 'crm_key', usedBy: [] }
		]);
	});

	it('refuses a bad name or an empty value with the field, echoing nothing typed', async () => {
		const badName = await act('add', 'member', { name: 'crm key', value: VALUE });
		expect(statusOf(badName)).toBe(400);
		expect(sent(badName)).toContain('no spaces');
		expect(sent(badName)).not.toContain(VALUE);
		const taken = await act('add', 'member', { name: 'crm_key', value: `${VALUE}_again` });
		expect(statusOf(taken)).toBe(409);
		expect(sent(taken)).toContain('already saved');
		expect(sent(taken)).not.toContain(VALUE);
		expect(await storedValue('crm_key')).toBe(VALUE);
		const empty = await act('add', 'member', { name: 'other', value: '   ' });
		expect(statusOf(empty)).toBe(400);
		expect(await storedValue('other')).toBeUndefined();
	});

	it('replaces a value and lists the automations that use the secret', async () => {
		await publish(w, {
			trigger: { type: 'event', event: 'contact.created' },
			reentry: { mode: 'every_time' },
			start: 'call',
			steps: [
				{
					id: 'call',
					name: 'Tell the CRM',
					type: 'http_request',
					method: 'POST',
					url: 'https://crm.example.test/hook',
					headers: { Authorization: 'Bearer {{secret:crm_key}}' },
					next: null
				}
			]
		});
		const [secret] = await secretsNow();
		expect(secret!.usedBy).toHaveLength(1);
		const answer = await act('replace', 'member', { id: secret!.id, value: NEW_VALUE });
		expect(statusOf(answer)).toBe(200);
		expect(sent(answer)).not.toContain(NEW_VALUE);
		expect(await storedValue('crm_key')).toBe(NEW_VALUE);
	});

	it('is not for a viewer: no page, no add, no replace, no delete', async () => {
		await expect(load(await pageEvent('viewer'))).rejects.toMatchObject({ status: 403 });
		const [secret] = await secretsNow();

		const add = await act('add', 'viewer', { name: 'viewer_key', value: VALUE });
		expect(statusOf(add)).toBe(403);
		expect(sent(add)).not.toContain(VALUE);
		const replace = await act('replace', 'viewer', { id: secret!.id, value: 'viewer_value' });
		expect(statusOf(replace)).toBe(404);
		const remove = await act('delete', 'viewer', { id: secret!.id });
		expect(statusOf(remove)).toBe(404);

		expect(await storedValue('viewer_key')).toBeUndefined();
		expect(await storedValue('crm_key')).toBe(NEW_VALUE);
	});

	it("cannot reach another organization's secret", async () => {
		const { rows } = await w.pool.query<{ id: string }>(
			`insert into public.automation_secrets (org_id, name, value) values ($1, 'theirs', 'x') returning id`,
			[w.world.orgB]
		);
		const answer = await act('delete', 'admin', { id: rows[0]!.id });
		expect(statusOf(answer)).toBe(404);
		const { rows: left } = await w.pool.query(
			`select 1 from public.automation_secrets where id = $1`,
			[rows[0]!.id]
		);
		expect(left).toHaveLength(1);
	});

	it('deletes a secret', async () => {
		const [secret] = await secretsNow();
		const answer = await act('delete', 'admin', { id: secret!.id });
		expect(statusOf(answer)).toBe(200);
		expect(sent(answer)).toContain('“crm_key” was deleted');
		expect(await storedValue('crm_key')).toBeUndefined();
	});
});

describe('the builder', () => {
	it('offers the names of saved secrets, never values, to every member', async () => {
		await w.pool.query(
			`insert into public.automation_secrets (org_id, name, value) values ($1, 'mail_token', $2)`,
			[w.world.orgA, VALUE]
		);
		const names = await withRls(w.world.db, w.world.claims('viewer'), (trx) =>
			automations.secretNames(trx, w.world.orgA)
		);
		expect(names).toEqual(['mail_token']);
		expect(
			automations.secretsUsedIn({
				steps: [
					{ type: 'http_request', headers: { 'X-Key': '{{secret:a}}', Accept: 'text/plain' } },
					{ type: 'wait' }
				]
			})
		).toEqual(new Set(['a']));
	});
});
