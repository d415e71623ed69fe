// Tags and tagging. Adding a tag twice is a no-op; events record each change.
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';
import { tagInputSchema } from './schemas.ts';

export type Tag = { id: string; name: string; color: string };

export async function listTags(trx: Trx, orgId: string): Promise<Tag[]> {
	return trx
		.selectFrom('tags')
		.select(['id', 'name', 'color'])
		.where('org_id', '=', orgId)
		.orderBy('name')
		.execute();
}

/** Creates a tag; a taken name is 23505 (mapped to 409 on `name`). */
export async function createTag(
	trx: Trx,
	orgId: string,
	input: { name: string; color?: string }
): Promise<Tag> {
	const t = tagInputSchema.parse(input);
	return trx
		.insertInto('tags')
		.values({ org_id: orgId, ...t })
		.returning(['id', 'name', 'color'])
		.executeTakeFirstOrThrow();
}

/**
 * The tags with these names, creating the missing ones (names match
 * case-insensitively, as the unique constraint does). For "tag these with
 * X" forms, where a person types a name rather than picks an id.
 */
export async function ensureTags(trx: Trx, orgId: string, names: string[]): Promise<Tag[]> {
	const wanted = [...new Set(names.map((n) => tagInputSchema.shape.name.parse(n)))];
	if (wanted.length === 0) return [];
	await trx
		.insertInto('tags')
		.values(wanted.map((name) => ({ org_id: orgId, name })))
		.onConflict((oc) => oc.columns(['org_id', 'name']).doNothing())
		.execute();
	return trx
		.selectFrom('tags')
		.select(['id', 'name', 'color'])
		.where('org_id', '=', orgId)
		.where(
			sql<string>`lower(name::text)`,
			'in',
			wanted.map((n) => n.toLowerCase())
		)
		.orderBy('name')
		.execute();
}

export async function deleteTag(trx: Trx, orgId: string, tagId: string): Promise<void> {
	await trx.deleteFrom('tags').where('org_id', '=', orgId).where('id', '=', tagId).execute();
}

/** Puts tags on contacts (both must belong to the organization: composite foreign keys). */
export async function addTags(
	trx: Trx,
	orgId: string,
	contactIds: string[],
	tagIds: string[]
): Promise<number> {
	if (!contactIds.length || !tagIds.length) return 0;
	const rows = contactIds.flatMap((contact_id) =>
		tagIds.map((tag_id) => ({ org_id: orgId, contact_id, tag_id }))
	);
	const result = await trx
		.insertInto('contact_tags')
		.values(rows)
		.onConflict((oc) => oc.doNothing())
		.executeTakeFirst();
	return Number(result.numInsertedOrUpdatedRows ?? 0);
}

export async function removeTags(
	trx: Trx,
	orgId: string,
	contactIds: string[],
	tagIds: string[]
): Promise<number> {
	if (!contactIds.length || !tagIds.length) return 0;
	const result = await trx
		.deleteFrom('contact_tags')
		.where('org_id', '=', orgId)
		.where('contact_id', 'in', contactIds)
		.where('tag_id', 'in', tagIds)
		.executeTakeFirst();
	return Number(result.numDeletedRows);
}
