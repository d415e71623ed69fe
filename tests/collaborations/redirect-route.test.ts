// The public redirect of a collaboration's tracking link (/r/<code>) as a
// visitor reaches it (no session, role anon): a known code redirects to the
// stored https destination only (whatever the request carries) and counts the
// click with the visitor's id; an unknown or malformed code is a 404 that
// records nothing.
import { isHttpError, isRedirect } from '@sveltejs/kit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withRls } from '../../src/lib/server/db/index.ts';
import { createCollabsWorld, type CollabsWorld } from './world.ts';

type Handler = (event: never) => Promise<Response>;
const route = (await import('../../src/routes/r/[code]/+server.ts')) as unknown as { GET: Handler };

let w: CollabsWorld;
let code: string;
let collab: string;

beforeAll(async () => {
	w = await createCollabsWorld();
	collab = await w.collaboration(w.orgA, await w.campaign(w.orgA), await w.influencer(w.orgA));
	code = (
		await sql<{
			link_code: string;
		}>`update public.collaborations set link_url = 'https://shop.example/drop?utm_source=ana'
		  where id = ${collab} returning link_code`.execute(w.db)
	).rows[0]!.link_code;
});
afterAll(async () => {
	await w.cleanup();
});

async function visit(path: string, visitorCookie?: string) {
	const url = new URL(`http://app.test${path}`);
	const set: Record<string, string> = {};
	const event = {
		url,
		params: { code: decodeURIComponent(url.pathname.split('/')[2]!) },
		request: new Request(url),
		cookies: {
			get: () => visitorCookie,
			set: (name: string, value: string) => (set[name] = value)
		},
		setHeaders: () => {},
		locals: {
			db: <T>(fn: Parameters<typeof withRls<T>>[2]) => withRls(w.db, w.claims('anon'), fn)
		}
	} as never;
	try {
		await route.GET(event);
		return { status: 200, set };
	} catch (e) {
		if (isRedirect(e)) return { status: e.status, location: e.location, set };
		if (isHttpError(e)) return { status: e.status, set };
		throw e;
	}
}

const clicks = async () =>
	(
		await sql<{
			visitor_id: string;
		}>`select visitor_id from public.collaboration_clicks where collaboration_id = ${collab}`.execute(
			w.db
		)
	).rows.map((r) => r.visitor_id);

describe('/r/<code>', () => {
	it('redirects only to the stored destination and counts the click for the visitor', async () => {
		const visitor = crypto.randomUUID();
		const res = await visit(`/r/${code}?to=https://evil.example/&url=//evil.example`, visitor);
		expect(res).toMatchObject({
			status: 302,
			location: 'https://shop.example/drop?utm_source=ana'
		});
		expect(res.set.gd_visitor).toBe(visitor);
		expect(await clicks()).toEqual([visitor]);
	});

	it('gives a new visitor an id, and ignores a cookie that is not one', async () => {
		const res = await visit(`/r/${code}`, 'not-a-uuid');
		expect(res.status).toBe(302);
		expect(res.set.gd_visitor).toMatch(/^[0-9a-f-]{36}$/);
	});

	it('refuses unknown and malformed codes with a 404 and records nothing', async () => {
		const before = (await clicks()).length;
		for (const path of [
			'/r/AAAAAAAAAAAA',
			'/r/short',
			`/r/${encodeURIComponent('https://evil.example/')}`,
			`/r/${code.slice(0, -1)}`
		])
			expect((await visit(path)).status).toBe(404);
		expect((await clicks()).length).toBe(before);
	});
});
