// The team as owner choices (any member may own an influencer record).
import * as members from '$lib/server/members';
import type { Trx } from '$lib/server/db';

export async function ownerOptions(
	trx: Trx,
	orgId: string
): Promise<{ id: string; name: string }[]> {
	const team = await members.list(trx, orgId);
	return team.map((m) => ({ id: m.userId, name: m.fullName || m.email }));
}
