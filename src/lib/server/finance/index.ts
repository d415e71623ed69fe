// Finance documents, approvals and spend. Use as `import * as finance from '$lib/server/finance'`.
export {
	baseCurrency,
	campaignOptions,
	create,
	fileOf,
	decide,
	decisions,
	get,
	list,
	markPaid,
	PAGE_SIZE,
	type Decision,
	type DocumentFile,
	type DocumentRow
} from './documents.ts';
export { DocumentCursorError, DocumentNotFoundError } from './errors.ts';
export { exportCsv } from './export.ts';
export { campaignSpend, orgFinance, type CampaignSpend, type OrgFinance } from './summary.ts';
export * from '../../schemas/finance.ts';
