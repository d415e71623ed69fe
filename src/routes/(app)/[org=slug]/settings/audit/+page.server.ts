import * as audit from '$lib/server/audit';
import * as members from '$lib/server/members';
import * as roles from '$lib/server/roles';
import type { PageServerLoad } from './$types';
import { auditFilterSchema } from './describe';

const PAGE_SIZE = 50;

/** A page of the log, newest first; `before` (the last id seen) pages back. */
export const load: PageServerLoad = async ({ locals, parent, url }) => {
	const { org } = await parent();
	const filter = auditFilterSchema.parse(Object.fromEntries(url.searchParams));
	const [page, team, customRoles] = await locals.db((trx) =>
		Promise.all([
			audit.list(trx, org.id, {
				action: filter.kind,
				actorId: filter.actor,
				before: filter.before,
				limit: PAGE_SIZE
			}),
			members.list(trx, org.id),
			roles.list(trx, org.id)
		])
	);
	return {
		filter,
		entries: page.entries,
		nextBefore: page.nextBefore,
		people: team.map((m) => ({ id: m.userId, name: m.fullName || m.email })),
		roleNames: customRoles.map((r) => ({ id: r.id, name: r.name }))
	};
};
