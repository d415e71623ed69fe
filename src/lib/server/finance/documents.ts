// Financial documents: created by a direct insert (RLS: finance.write; the
// database numbers, converts and checks them), decided and paid through the
// database functions that record who did it. Amounts stay exact decimals
// (text), never floats.
import { sql, type SqlBool } from 'kysely';
import type { Trx } from '../db/rls.ts';
import { DocumentCursorError } from './errors.ts';
import type {
	DocumentFilter,
	DocumentInput,
	DocumentStatus,
	DocumentType
} from '../../schemas/finance.ts';

export type DocumentRow = {
	id: string;
	number: string;
	type: DocumentType;
	status: DocumentStatus;
	campaignId: string;
	campaignName: string;
	amount: string;
	currency: string;
	amountBase: string;
	baseCurrency: string;
	exchangeRate: string;
	rateDate: string;
	issueDate: string;
	dueDate: string | null;
	paidDate: string | null;
	overdue: boolean;
	description: string;
	fileId: string | null;
	collaborationId: string | null;
	/** The influencer the collaboration is with (the CRM's name). */
	influencerId: string | null;
	influencerName: string | null;
	poId: string | null;
	poNumber: string | null;
	requestedBy: string | null;
	requesterName: string | null;
	createdAt: string;
};

/** Columns of a document as the pages show them (dates as ISO text). */
const selectDocument = (trx: Trx) =>
	trx
		.selectFrom('finance_documents as d')
		.innerJoin('campaigns as c', 'c.id', 'd.campaign_id')
		.leftJoin('profiles as p', 'p.id', 'd.requested_by')
		.leftJoin('collaborations as k', 'k.id', 'd.collaboration_id')
		.leftJoin('influencers as i', 'i.id', 'k.influencer_id')
		.leftJoin('finance_documents as po', 'po.id', 'd.po_id')
		.select([
			'd.id',
			'd.number',
			'd.type',
			'd.status',
			'd.campaign_id as campaignId',
			'c.name as campaignName',
			sql<string>`d.amount::text`.as('amount'),
			'd.currency',
			sql<string>`d.amount_base::text`.as('amountBase'),
			'd.base_currency as baseCurrency',
			sql<string>`d.exchange_rate::text`.as('exchangeRate'),
			sql<string>`d.rate_date::text`.as('rateDate'),
			sql<string>`d.issue_date::text`.as('issueDate'),
			sql<string | null>`d.due_date::text`.as('dueDate'),
			sql<string | null>`d.paid_date::text`.as('paidDate'),
			sql<boolean>`(d.status in ('pending', 'approved') and d.due_date < current_date)`.as(
				'overdue'
			),
			'd.description',
			'd.file_id as fileId',
			'd.collaboration_id as collaborationId',
			'i.id as influencerId',
			'i.name as influencerName',
			'd.po_id as poId',
			'po.number as poNumber',
			'd.requested_by as requestedBy',
			'p.full_name as requesterName',
			sql<string>`d.created_at::text`.as('createdAt')
		]);

/** Records a document; the database gives it its number and conversion. */
export async function create(
	trx: Trx,
	orgId: string,
	input: Omit<DocumentInput, 'collaborationId' | 'poId'> &
		Partial<Pick<DocumentInput, 'collaborationId' | 'poId'>>
): Promise<{ id: string; number: string }> {
	return trx
		.insertInto('finance_documents')
		.values({
			org_id: orgId,
			campaign_id: input.campaignId,
			type: input.type,
			amount: sql<number>`${input.amount}::numeric`,
			currency: input.currency,
			issue_date: input.issueDate,
			due_date: input.dueDate || null,
			description: input.description,
			file_id: input.fileId || null,
			collaboration_id: input.collaborationId || null,
			po_id: input.poId || null
		})
		.returning(['id', 'number'])
		.executeTakeFirstOrThrow();
}

export async function get(trx: Trx, orgId: string, id: string): Promise<DocumentRow | null> {
	const row = await selectDocument(trx)
		.where('d.org_id', '=', orgId)
		.where('d.id', '=', id)
		.executeTakeFirst();
	return row ?? null;
}

export const PAGE_SIZE = 50;

const encode = (createdAt: string, id: string) =>
	Buffer.from(`${createdAt}|${id}`).toString('base64url');
function decode(cursor: string): { createdAt: string; id: string } {
	const [createdAt, id] = Buffer.from(cursor, 'base64url').toString().split('|');
	if (!createdAt || !id || Number.isNaN(Date.parse(createdAt)) || !/^[0-9a-f-]{36}$/.test(id))
		throw new DocumentCursorError();
	return { createdAt, id };
}

/** One page of the organization's documents, newest first, keyset by (created_at, id). */
export async function list(
	trx: Trx,
	orgId: string,
	filter: DocumentFilter,
	limit = PAGE_SIZE
): Promise<{ rows: DocumentRow[]; next: string | null }> {
	let query = selectDocument(trx).where('d.org_id', '=', orgId);
	if (filter.type) query = query.where('d.type', '=', filter.type);
	if (filter.status) query = query.where('d.status', '=', filter.status);
	if (filter.campaign) query = query.where('d.campaign_id', '=', filter.campaign);
	if (filter.influencer) {
		// Through the influencer's collaborations (campaign and id: the documents' index).
		const influencer = filter.influencer;
		query = query.where((eb) =>
			eb.exists(
				eb
					.selectFrom('collaborations as f')
					.select(sql`1`.as('one'))
					.whereRef('f.campaign_id', '=', 'd.campaign_id')
					.whereRef('f.id', '=', 'd.collaboration_id')
					.where('f.org_id', '=', orgId)
					.where('f.influencer_id', '=', influencer)
			)
		);
	}
	if (filter.overdue)
		query = query
			.where('d.status', 'in', ['pending', 'approved'])
			.where(sql<SqlBool>`d.due_date < current_date`);
	if (filter.after) {
		const { createdAt, id } = decode(filter.after);
		query = query.where(
			sql<SqlBool>`(d.created_at, d.id) < (${createdAt}::timestamptz, ${id}::uuid)`
		);
	}
	const rows = (await query
		.orderBy('d.created_at', 'desc')
		.orderBy('d.id', 'desc')
		.limit(limit + 1)
		.execute()) as DocumentRow[];
	const more = rows.length > limit;
	const page = more ? rows.slice(0, limit) : rows;
	const last = page.at(-1);
	return { rows: page, next: more && last ? encode(last.createdAt, last.id) : null };
}

export type Decision = {
	decision: 'approved' | 'rejected';
	comment: string;
	decidedBy: string | null;
	deciderName: string | null;
	decidedAt: string;
};

/** The decisions on a document, oldest first. */
export async function decisions(trx: Trx, orgId: string, id: string): Promise<Decision[]> {
	const rows = await trx
		.selectFrom('finance_approvals as a')
		.leftJoin('profiles as p', 'p.id', 'a.decided_by')
		.select([
			'a.decision',
			'a.comment',
			'a.decided_by as decidedBy',
			'p.full_name as deciderName',
			sql<string>`a.decided_at::text`.as('decidedAt')
		])
		.where('a.org_id', '=', orgId)
		.where('a.document_id', '=', id)
		.orderBy('a.decided_at')
		.execute();
	return rows as Decision[];
}

/** Approves or rejects as the current user; returns the document's status after it. */
export async function decide(
	trx: Trx,
	id: string,
	decision: 'approved' | 'rejected',
	comment: string
): Promise<DocumentStatus> {
	const { rows } = await sql<{ status: DocumentStatus }>`
		select public.decide_finance_document(${id}::uuid, ${decision}, ${comment}) as status`.execute(trx);
	return rows[0]!.status;
}

/** Marks an approved document paid (today when no date is given). */
export async function markPaid(trx: Trx, id: string, paidDate: string | null): Promise<void> {
	await sql`select public.mark_finance_document_paid(${id}::uuid, ${paidDate}::date)`.execute(trx);
}

/** Campaigns a document can be recorded on (newest first), for the pickers and filters. */
export async function campaignOptions(
	trx: Trx,
	orgId: string
): Promise<{ id: string; name: string }[]> {
	return trx
		.selectFrom('campaigns')
		.select(['id', 'name'])
		.where('org_id', '=', orgId)
		.orderBy('created_at', 'desc')
		.limit(500)
		.execute();
}

export type DocumentFile = {
	id: string;
	objectName: string;
	fileName: string;
	mimeType: string | null;
	size: number;
};

export type CollaborationOption = {
	id: string;
	campaignId: string;
	influencerId: string;
	influencerName: string;
};

/** The organization's collaborations (newest first), for the form's picker (by campaign). */
export async function collaborationOptions(
	trx: Trx,
	orgId: string
): Promise<CollaborationOption[]> {
	return trx
		.selectFrom('collaborations as k')
		.innerJoin('influencers as i', 'i.id', 'k.influencer_id')
		.select([
			'k.id',
			'k.campaign_id as campaignId',
			'k.influencer_id as influencerId',
			'i.name as influencerName'
		])
		.where('k.org_id', '=', orgId)
		.where('k.status', '<>', 'rejected')
		.orderBy('k.created_at', 'desc')
		.limit(1000)
		.execute();
}

/** Influencers with a collaboration in the organization, for the list's filter. */
export async function influencerOptions(
	trx: Trx,
	orgId: string
): Promise<{ id: string; name: string }[]> {
	return trx
		.selectFrom('influencers as i')
		.select(['i.id', 'i.name'])
		.where('i.org_id', '=', orgId)
		.where((eb) =>
			eb.exists(
				eb
					.selectFrom('collaborations as k')
					.select(sql`1`.as('one'))
					.whereRef('k.influencer_id', '=', 'i.id')
					.where('k.org_id', '=', orgId)
			)
		)
		.orderBy('i.name')
		.limit(500)
		.execute();
}

/** Purchase orders an invoice can bill against (not rejected), newest first. */
export async function purchaseOrderOptions(
	trx: Trx,
	orgId: string
): Promise<{ id: string; campaignId: string; number: string; amount: string; currency: string }[]> {
	return trx
		.selectFrom('finance_documents')
		.select([
			'id',
			'campaign_id as campaignId',
			'number',
			sql<string>`amount::text`.as('amount'),
			'currency'
		])
		.where('org_id', '=', orgId)
		.where('type', '=', 'po')
		.where('status', '<>', 'rejected')
		.orderBy('created_at', 'desc')
		.limit(1000)
		.execute();
}

/** Attaches a file to a document (a generated PDF, or a file added later). */
export async function attachFile(trx: Trx, id: string, fileId: string): Promise<void> {
	await sql`select public.attach_finance_document_file(${id}::uuid, ${fileId}::uuid)`.execute(trx);
}

/** The stored file of a document (the files catalogue row), if any. */
export async function fileOf(
	trx: Trx,
	orgId: string,
	fileId: string | null
): Promise<DocumentFile | null> {
	if (!fileId) return null;
	const row = await trx
		.selectFrom('files')
		.select([
			'id',
			'name as objectName',
			'file_name as fileName',
			'mime_type as mimeType',
			sql<number>`size::float8`.as('size')
		])
		.where('org_id', '=', orgId)
		.where('id', '=', fileId)
		.executeTakeFirst();
	return row ?? null;
}

/** The currency the organization keeps its books in. */
export async function baseCurrency(trx: Trx, orgId: string): Promise<string> {
	const row = await trx
		.selectFrom('organizations')
		.select('base_currency')
		.where('id', '=', orgId)
		.executeTakeFirst();
	return row?.base_currency ?? 'EUR';
}
