// A purchase order's generated PDF, stored like any uploaded file: in the
// org-files bucket under the organization's id (`<org id>/Finance/Purchase
// orders/<number>.pdf`), uploaded through Storage with the person's own token
// so Storage's policies decide (files.write), catalogued by the files
// triggers, then attached to the document by attach_finance_document_file()
// (finance.write). Nothing here uses the service role.
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Trx } from '../db/rls.ts';
import { attachFile, get } from './documents.ts';
import { DocumentNotFoundError, PoFileError } from './errors.ts';
import { purchaseOrderPdf } from './pdf.ts';

/** Runs `fn` in one transaction as the person, under RLS (locals.db in a request). */
export type RunAs = <T>(fn: (trx: Trx) => Promise<T>) => Promise<T>;

export const PO_FOLDER = 'Finance/Purchase orders';
const BUCKET = 'org-files';

/** The object name of a purchase order's PDF. */
export function poObjectName(orgId: string, number: string): string {
	return `${orgId}/${PO_FOLDER}/${number}.pdf`;
}

/**
 * Generates the PDF of a purchase order and attaches it. Refused (PoFileError)
 * for a document that is not a purchase order, or one already decided that has
 * a file (its file is what was decided); Storage's or the database's refusal
 * comes back as PoFileError or the database error.
 */
export async function generatePoFile(
	runAs: RunAs,
	storage: Pick<SupabaseClient, 'storage'>,
	orgId: string,
	id: string
): Promise<{ fileId: string; objectName: string }> {
	const { bytes, objectName } = await runAs(async (trx) => {
		const doc = await get(trx, orgId, id);
		if (!doc) throw new DocumentNotFoundError();
		if (doc.type !== 'po') throw new PoFileError('Only a purchase order gets a generated PDF.');
		if (doc.status !== 'pending' && doc.fileId)
			throw new PoFileError('This order is already decided: its file stays as it was approved.');
		const org = await trx
			.selectFrom('organizations as o')
			.innerJoin('campaigns as c', (j) =>
				j.onRef('c.org_id', '=', 'o.id').on('c.id', '=', doc.campaignId)
			)
			.leftJoin('brands as b', 'b.id', 'c.brand_id')
			.select(['o.name as organization', 'b.name as brand'])
			.where('o.id', '=', orgId)
			.executeTakeFirstOrThrow();
		const bytes = await purchaseOrderPdf({
			number: doc.number,
			organization: org.organization,
			brand: org.brand,
			campaign: doc.campaignName,
			influencer: doc.influencerName,
			issueDate: doc.issueDate,
			dueDate: doc.dueDate,
			amount: doc.amount,
			currency: doc.currency,
			amountBase: doc.amountBase,
			baseCurrency: doc.baseCurrency,
			exchangeRate: doc.exchangeRate,
			rateDate: doc.rateDate,
			description: doc.description,
			requestedBy: doc.requesterName
		});
		return { bytes, objectName: poObjectName(orgId, doc.number) };
	});

	// A regenerated PDF replaces the earlier one of the same order (same name).
	const { error } = await storage.storage.from(BUCKET).upload(objectName, bytes, {
		contentType: 'application/pdf',
		upsert: true
	});
	if (error) {
		const text = (error.message ?? '').toLowerCase();
		throw new PoFileError(
			text.includes('row-level security') || text.includes('unauthorized')
				? 'You need permission to add files to save the PDF.'
				: 'The PDF could not be stored. Try again.'
		);
	}

	return runAs(async (trx) => {
		const file = await trx
			.selectFrom('files')
			.select('id')
			.where('org_id', '=', orgId)
			.where('bucket_id', '=', BUCKET)
			.where('name', '=', objectName)
			.executeTakeFirst();
		if (!file) throw new PoFileError('The PDF was stored but is not in Files yet. Try again.');
		await attachFile(trx, id, file.id);
		return { fileId: file.id, objectName };
	});
}
