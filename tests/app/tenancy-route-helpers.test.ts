// The helpers the org-scoped routes share, against a real database under RLS:
// withOrg (the organization by slug, a 404 for anyone else), pickHome (where "/"
// goes) and failFromDb (database refusals as field errors or messages, with status).
import { isHttpError, isRedirect, type Cookies } from '@sveltejs/kit';
import { superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as brands from '../../src/lib/server/brands/index.ts';
import { failFromDb, refused, withRls } from '../../src/lib/server/db/index.ts';
import * as members from '../../src/lib/server/members/index.ts';
import * as orgs from '../../src/lib/server/orgs/index.ts';
import { brandSchema } from '../../src/lib/schemas/brands.ts';
import { orgSchema } from '../../src/lib/schemas/orgs.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createTenancyWorld, type Persona, type TenancyWorld } from '../helpers/tenancy.ts';

let testDb: TestDatabase;
let w: TenancyWorld;
let slugA: string;

beforeAll(async () => {
	testDb = await createTestDatabase();
	w = await createTenancyWorld(testDb.url);
	const [a] = await withRls(w.db, w.claims('owner'), (trx) => orgs.listMine(trx, w.users.owner.id));
	slugA = a!.slug;
});
afterAll(async () => {
	await w.close();
	await testDb.drop();
});

/** What SvelteKit hands a load or action, for a person (or nobody) at /<slug>/…. */
function eventFor(persona: Persona, slug: string) {
	const user =
		persona === 'anon' ? null : { id: w.users[persona].id, email: w.users[persona].email };
	const url = new URL(`http://app.test/${slug}/settings`);
	return {
		url,
		request: new Request(url),
		params: { org: slug },
		locals: {
			user,
			db: <T>(fn: Parameters<typeof withRls<T>>[2]) => withRls(w.db, w.claims(persona), fn)
		} as unknown as App.Locals
	};
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
	try {
		await promise;
	} catch (error) {
		return error;
	}
	throw new Error('expected a rejection');
}

describe('withOrg', () => {
	it('runs with the organization and the person when they belong to it', async () => {
		const result = await orgs.withOrg(eventFor('viewer', slugA), (_trx, org, user) =>
			Promise.resolve({ org, user })
		);
		expect(result.org).toMatchObject({ id: w.orgA, slug: slugA, role: 'viewer' });
		expect(result.user.id).toBe(w.users.viewer.id);
	});

	it('is a 404 for another organization, the same as for one that does not exist', async () => {
		const outsider = await caught(
			orgs.withOrg(eventFor('outsider', slugA), () => Promise.resolve(1))
		);
		const missing = await caught(
			orgs.withOrg(eventFor('owner', 'no-such-org'), () => Promise.resolve(1))
		);
		for (const error of [outsider, missing]) {
			expect(isHttpError(error, 404)).toBe(true);
		}
	});

	it('sends a signed-out request to sign in, coming back to the page', async () => {
		const error = await caught(orgs.withOrg(eventFor('anon', slugA), () => Promise.resolve(1)));
		expect(isRedirect(error) && error.location).toBe(
			`/login?redirectTo=${encodeURIComponent(`/${slugA}/settings`)}`
		);
	});
});

describe('pickHome', () => {
	const mine = [
		{ id: '1', name: 'Acme', slug: 'acme', role: 'owner' as const },
		{ id: '2', name: 'Beta', slug: 'beta', role: 'viewer' as const }
	];
	const cookies = (value?: string) => ({ get: () => value }) as unknown as Cookies;

	it('returns to the organization opened last, while it is still theirs', () => {
		expect(orgs.pickHome(cookies('beta'), mine)?.slug).toBe('beta');
		expect(orgs.pickHome(cookies('gone'), mine)?.slug).toBe('acme');
		expect(orgs.pickHome(cookies(), mine)?.slug).toBe('acme');
		expect(orgs.pickHome(cookies('beta'), [])).toBeNull();
	});

	it('first lands in an organization the person owns, whatever its place in the list', () => {
		const member = { id: '3', name: 'Aardvark', slug: 'aardvark', role: 'member' as const };
		expect(orgs.pickHome(cookies(), [member, ...mine])?.slug).toBe('acme');
		expect(orgs.pickHome(cookies(), [member])?.slug).toBe('aardvark');
	});
});

const emptyBrand = {
	name: '',
	email: null,
	phone: null,
	address: null,
	city: null,
	state: null,
	zip: null,
	country: null
};

describe('failFromDb', () => {
	const brandForm = (name: string) =>
		superValidate(
			{ name, email: '', phone: '', address: '', city: '', state: '', zip: '', country: '' },
			zod4(brandSchema)
		);

	it('a taken name: a 409 on the field, worded for people when asked', async () => {
		await withRls(w.db, w.claims('member'), (trx) =>
			brands.create(trx, w.orgA, { ...emptyBrand, name: 'Twin' })
		);
		const form = await brandForm('Twin');
		const error = await caught(
			withRls(w.db, w.claims('member'), (trx) => brands.create(trx, w.orgA, form.data))
		);
		const answer = failFromDb(form, error, { name: 'There is already a brand with this name.' });
		expect(answer.status).toBe(409);
		expect(answer.data.form.errors.name).toEqual(['There is already a brand with this name.']);
	});

	it('an RLS refusal: a 403 message above the form', async () => {
		const form = await brandForm('Forged');
		const error = await caught(
			withRls(w.db, w.claims('viewer'), (trx) => brands.create(trx, w.orgA, form.data))
		);
		const answer = failFromDb(form, error);
		expect(answer.status).toBe(403);
		expect(answer.data.form.message).toEqual({
			tone: 'error',
			text: 'You do not have permission to do that.'
		});
	});

	it('our own raises keep their message (the last-owner rule)', async () => {
		const form = await superValidate({}, zod4(orgSchema), { errors: false });
		const error = await caught(
			withRls(w.db, w.claims('owner'), (trx) => members.remove(trx, w.orgA, w.users.owner.id))
		);
		const answer = failFromDb(form, error, { slug: 'not this one' });
		expect(answer.status).toBe(422);
		expect(answer.data.form.message?.text).toBe('An organization must keep at least one owner.');
	});

	it('rethrows what is not a database error', async () => {
		const form = await brandForm('x');
		const bug = new TypeError('a bug');
		expect(() => failFromDb(form, bug)).toThrow(bug);
	});

	it('refused: a change RLS filtered out is a 403', async () => {
		const form = await brandForm('x');
		const answer = refused(form);
		expect(answer.status).toBe(403);
		expect(answer.data.form.message?.text).toBe('You do not have permission to do that.');
	});
});
