// What an audience form needs to draw: the interest taxonomy and the
// organization's segments (to include or exclude), in one transaction.
import * as audiences from '$lib/server/audiences';
import type { Trx } from '$lib/server/db';
import * as segments from '$lib/server/segments';

export async function formContext(trx: Trx, orgId: string) {
	const [interests, list] = [
		await audiences.interests(trx),
		await segments.listSegments(trx, orgId)
	];
	return {
		interests,
		segments: list.map((s) => ({ id: s.id, name: s.name, cachedCount: s.cachedCount }))
	};
}

export const TAKEN = { name: 'There is already an audience with this name.' };
