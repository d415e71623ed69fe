// Streamed CSV export of a segment or a filtered view. The export is recorded
// first (contact_exports; RLS lets only holders of contacts.export insert), then
// rows are read in keyset pages of 5,000 so memory stays flat at any size.
// Consume the generator inside the same withRls transaction.
import { sql, type SqlBool } from 'kysely';
import type { Trx } from '../db/rls.ts';
import { listFields } from '../contacts/fields.ts';
import { filterWhere } from '../contacts/list.ts';
import type { ListQuery } from '../contacts/schemas.ts';

/** A segment, a filtered view, or both (a segment's members narrowed by the table's filters). */
export type ExportSource = Pick<ListQuery, 'search' | 'status' | 'tagId' | 'segmentId' | 'rules'>;

const PAGE = 5000;

/**
 * Quotes a cell, and defuses spreadsheet formulas (=, +, -, @, tab or return at
 * the start) with an apostrophe. Reversibly: a value that already starts with
 * apostrophes before one of those gets one more, and the import takes exactly
 * one off (pipeline.ts, cellValue), so an exported file imports back unchanged.
 */
export function csvCell(value: unknown): string {
	if (value === null || value === undefined) return '';
	let text: string;
	if (Array.isArray(value)) text = value.join('; ');
	else if (typeof value === 'string') text = value;
	else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
	else text = JSON.stringify(value);
	if (/^'*[=+\-@\t\r]/.test(text)) text = `'${text}`;
	return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const STANDARD = [
	['email', 'Email'],
	['phone', 'Phone'],
	['first_name', 'First name'],
	['last_name', 'Last name'],
	['company', 'Company'],
	['status', 'Status'],
	['source', 'Source'],
	['created_at', 'Created at']
] as const;

/** Yields the CSV in chunks (header first); records the row count at the end. */
export async function* exportCsv(
	trx: Trx,
	orgId: string,
	source: ExportSource
): AsyncGenerator<string> {
	const { segmentId, ...filters } = source;
	const filtered = Object.values(filters).some((v) => v !== undefined);
	const record = await trx
		.insertInto('contact_exports')
		.values({
			org_id: orgId,
			segment_id: segmentId ?? null,
			filter: filtered || !segmentId ? JSON.stringify(filters) : null
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	const fields = await listFields(trx, orgId);
	const { where } = await filterWhere(trx, orgId, source);
	yield (
		[...STANDARD.map(([, label]) => label), ...fields.map((f) => f.label), 'Tags']
			.map(csvCell)
			.join(',') + '\n'
	);
	let after: string | null = null;
	let count = 0;
	for (;;) {
		const rows = await trx
			.selectFrom('contacts as c')
			.select([
				'c.id',
				'c.email',
				'c.phone',
				'c.first_name',
				'c.last_name',
				'c.company',
				'c.status',
				'c.source',
				'c.created_at',
				'c.custom',
				sql<
					string[]
				>`array(select t.name::text from public.contact_tags ct join public.tags t on t.id = ct.tag_id
					where ct.org_id = c.org_id and ct.contact_id = c.id order by t.name)`.as('tags')
			])
			.where(where)
			.$if(after !== null, (q) => q.where(sql<SqlBool>`c.id > ${after}::uuid`))
			.orderBy('c.id')
			.limit(PAGE)
			.execute();
		if (rows.length === 0) break;
		count += rows.length;
		yield (
			rows
				.map((r) => {
					const custom = r.custom as Record<string, unknown>;
					const created = r.created_at as unknown;
					return [
						r.email,
						r.phone,
						r.first_name,
						r.last_name,
						r.company,
						r.status,
						r.source,
						created instanceof Date ? created.toISOString() : created,
						...fields.map((f) => custom[f.key]),
						r.tags
					]
						.map(csvCell)
						.join(',');
				})
				.join('\n') + '\n'
		);
		after = rows.at(-1)!.id;
		if (rows.length < PAGE) break;
	}
	await trx
		.updateTable('contact_exports')
		.set({ row_count: count, completed_at: sql`now()` })
		.where('id', '=', record.id)
		.execute();
}
