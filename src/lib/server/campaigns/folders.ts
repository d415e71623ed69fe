// Campaign folders: a flat list per organization (RLS: members read, campaign
// editors write; deleting a folder leaves its campaigns unfiled).
import type { Trx } from '../db/rls.ts';

export type Folder = { id: string; name: string };

export async function list(trx: Trx, orgId: string): Promise<Folder[]> {
	return trx
		.selectFrom('campaign_folders')
		.select(['id', 'name'])
		.where('org_id', '=', orgId)
		.orderBy('name')
		.execute();
}

export async function create(trx: Trx, orgId: string, name: string): Promise<string> {
	const row = await trx
		.insertInto('campaign_folders')
		.values({ org_id: orgId, name })
		.returning('id')
		.executeTakeFirstOrThrow();
	return row.id;
}

export async function remove(trx: Trx, orgId: string, id: string): Promise<void> {
	await trx
		.deleteFrom('campaign_folders')
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.execute();
}
