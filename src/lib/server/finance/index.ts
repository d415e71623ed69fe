// Finance documents, approvals and spend. Use as `import * as finance from '$lib/server/finance'`.
export {
	attachFile,
	baseCurrency,
	campaignOptions,
	collaborationOptions,
	influencerOptions,
	purchaseOrderOptions,
	type CollaborationOption,
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
export {
	DocumentCursorError,
	DocumentNotFoundError,
	FinanceSettingsDeniedError,
	PoFileError
} from './errors.ts';
export { purchaseOrderPdf, type PurchaseOrderPdf } from './pdf.ts';
export { generatePoFile, poObjectName, PO_FOLDER, type RunAs } from './po-file.ts';
export {
	rates,
	removeRate,
	saveRate,
	saveSettings,
	settings,
	type FinanceSettings,
	type OrgRate
} from './settings.ts';
export { exportCsv } from './export.ts';
export { campaignSpend, orgFinance, type CampaignSpend, type OrgFinance } from './summary.ts';
export * from '../../schemas/finance.ts';
