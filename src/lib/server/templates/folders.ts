// Template folders: a flat list per organization (RLS: members read, template
// editors write; deleting a folder leaves its templates unfiled).
import type { Trx } from '../db/rls.ts';

export type Folder = { id: string; name: string; count: number };

export async function list(trx: Trx, orgId: string): Promise<Folder[]> {
	const rows = await trx
		.selectFrom('message_template_folders as f')
		.leftJoin('message_templates as t', (j) =>
			j.onRef('t.folder_id', '=', 'f.id').onRef('t.org_id', '=', 'f.org_id')
		)
		.select(['f.id', 'f.name', (eb) => eb.fn.count<string>('t.id').as('count')])
		.where('f.org_id', '=', orgId)
		.groupBy(['f.id', 'f.name'])
		.orderBy('f.name')
		.execute();
	return rows.map((r) => ({ id: r.id, name: r.name, count: Number(r.count) }));
}

export async function create(trx: Trx, orgId: string, name: string): Promise<string> {
	const row = await trx
		.insertInto('message_template_folders')
		.values({ org_id: orgId, name })
		.returning('id')
		.executeTakeFirstOrThrow();
	return row.id;
}

export async function remove(trx: Trx, orgId: string, id: string): Promise<boolean> {
	const r = await trx
		.deleteFrom('message_template_folders')
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	return r.numDeletedRows > 0n;
}
