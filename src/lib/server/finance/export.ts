// The accounting export: the list's current filters as CSV, streamed in
// keyset pages (memory stays flat), cells defused against spreadsheet
// formulas by the contacts export's csvCell. Consume inside the same withRls
// transaction (RLS decides what is exported).
import { csvCell } from '../imports/export.ts';
import type { Trx } from '../db/rls.ts';
import { list } from './documents.ts';
import { STATUS_LABELS, TYPE_LABELS, type DocumentFilter } from '../../schemas/finance.ts';

const HEADER = [
	'Number',
	'Type',
	'Status',
	'Campaign',
	'Amount',
	'Currency',
	'Exchange rate',
	'Rate date',
	'Amount (base)',
	'Base currency',
	'Issued',
	'Due',
	'Paid',
	'Description',
	'Influencer',
	'Purchase order'
];

const PAGE = 2000;

export async function* exportCsv(
	trx: Trx,
	orgId: string,
	filter: DocumentFilter
): AsyncGenerator<string> {
	yield HEADER.map(csvCell).join(',') + '\n';
	let after: string | undefined;
	for (;;) {
		const page = await list(trx, orgId, { ...filter, after }, PAGE);
		if (page.rows.length > 0)
			yield (
				page.rows
					.map((d) =>
						[
							d.number,
							TYPE_LABELS[d.type],
							STATUS_LABELS[d.status],
							d.campaignName,
							d.amount,
							d.currency,
							d.exchangeRate,
							d.rateDate,
							d.amountBase,
							d.baseCurrency,
							d.issueDate,
							d.dueDate,
							d.paidDate,
							d.description,
							d.influencerName,
							d.poNumber
						]
							.map(csvCell)
							.join(',')
					)
					.join('\n') + '\n'
			);
		if (!page.next) return;
		after = page.next;
	}
}
