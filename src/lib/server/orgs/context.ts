// The organization a request is about: /<org>/… pages and their actions run in
// one RLS transaction that first finds the organization by slug for the
// signed-in person. An organization that is not theirs is a plain 404, the same
// answer as one that does not exist.
import { error, type Cookies, type RequestEvent } from '@sveltejs/kit';
import { requireUser, type SessionUser } from '$lib/server/auth';
import type { Trx } from '$lib/server/db';
import { findBySlug, type OrgScope, type OrgSummary } from './queries';

type OrgEvent = Pick<RequestEvent, 'locals' | 'url' | 'request'> & { params: { org?: string } };

export async function withOrg<T>(
	event: OrgEvent,
	fn: (trx: Trx, org: OrgScope, user: SessionUser) => Promise<T>
): Promise<T> {
	const user = requireUser(event);
	const slug = event.params.org ?? '';
	return event.locals.db(async (trx) => {
		const org = await findBySlug(trx, slug, user.id);
		if (!org) error(404, 'Page not found');
		return fn(trx, org, user);
	});
}

const LAST_ORG_COOKIE = 'gd_org';

/** Remembers the organization last opened, so "/" can return to it. */
export function rememberOrg(cookies: Cookies, url: URL, slug: string): void {
	if (cookies.get(LAST_ORG_COOKIE) === slug) return;
	cookies.set(LAST_ORG_COOKIE, slug, {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		secure: url.protocol === 'https:',
		maxAge: 400 * 24 * 3600
	});
}

/** The organization to open on "/": the last one opened if still theirs, else one they own, else the first. */
export function pickHome(cookies: Cookies, mine: OrgSummary[]): OrgSummary | null {
	const last = cookies.get(LAST_ORG_COOKIE);
	// A first visit lands in an organization the person owns (theirs to set up), else the first.
	return (
		mine.find((o) => o.slug === last) ?? mine.find((o) => o.role === 'owner') ?? mine[0] ?? null
	);
}
