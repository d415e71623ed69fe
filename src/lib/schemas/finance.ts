// The finance forms and filters, shared by load and action (and the tests).
// The database refuses the same things again (amount bounds, currency, dates
// in order, the status machine); these give the field and reason early.
import { z } from 'zod';
import { CURRENCIES } from '$lib/currencies';

export const DOCUMENT_TYPES = ['po', 'invoice', 'form'] as const;
export const DOCUMENT_STATUSES = ['pending', 'approved', 'rejected', 'paid'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

export const TYPE_LABELS: Record<DocumentType, string> = {
	po: 'Purchase order',
	invoice: 'Invoice',
	form: 'Form'
};
export const STATUS_LABELS: Record<DocumentStatus, string> = {
	pending: 'Waiting for approval',
	approved: 'Approved',
	rejected: 'Rejected',
	paid: 'Paid'
};

const day = z
	.string()
	.trim()
	.regex(/^\d{4}-\d{2}-\d{2}$/, 'Pick a date.')
	.refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'Pick a date.');

export const documentSchema = z
	.object({
		campaignId: z.uuid('Pick a campaign.'),
		type: z.enum(DOCUMENT_TYPES, 'Pick a purchase order, an invoice or a form.'),
		amount: z
			.string()
			.trim()
			.regex(/^\d{1,10}(\.\d{1,4})?$/, 'Type a positive amount, like 1250 or 1250.50.')
			.refine((s) => Number(s) > 0, 'The amount must be more than zero.')
			.refine((s) => Number(s) <= 1_000_000_000, 'The amount can be at most 1,000,000,000.'),
		currency: z.enum(CURRENCIES, 'Pick a known currency.'),
		issueDate: day,
		dueDate: day.or(z.literal('')).default(''),
		description: z
			.string()
			.trim()
			.max(2000, 'Keep the description under 2,000 characters.')
			.default(''),
		fileId: z.uuid('Pick a file.').or(z.literal('')).default(''),
		// The influencer collaboration it pays for (one of the campaign's).
		collaborationId: z.uuid('Pick a collaboration.').or(z.literal('')).default(''),
		// For an invoice: the purchase order it bills against (counted once against the budget).
		poId: z.uuid('Pick a purchase order.').or(z.literal('')).default('')
	})
	.refine((d) => !d.dueDate || d.dueDate >= d.issueDate, {
		path: ['dueDate'],
		message: 'The due date cannot be before the issue date.'
	})
	.refine((d) => !d.poId || d.type === 'invoice', {
		path: ['poId'],
		message: 'Only an invoice can refer to a purchase order.'
	});
export type DocumentInput = z.infer<typeof documentSchema>;

export const decisionSchema = z.object({
	decision: z.enum(['approved', 'rejected'], 'Approve or reject the document.'),
	comment: z.string().trim().max(1000, 'Keep the comment under 1,000 characters.').default('')
});

export const paidSchema = z.object({ paidDate: day.or(z.literal('')).default('') });

/** The list's filters, from the URL (anything malformed is dropped, not an error). */
export const filterSchema = z.object({
	type: z.enum(DOCUMENT_TYPES).optional().catch(undefined),
	status: z.enum(DOCUMENT_STATUSES).optional().catch(undefined),
	overdue: z
		.literal('1')
		.optional()
		.catch(undefined)
		.transform((v) => v === '1'),
	campaign: z.uuid().optional().catch(undefined),
	influencer: z.uuid().optional().catch(undefined),
	after: z.string().max(200).optional().catch(undefined)
});
export type DocumentFilter = z.infer<typeof filterSchema>;

/** The organization's finance settings: base currency and approval rule. */
export const financeSettingsSchema = z.object({
	baseCurrency: z.enum(CURRENCIES, 'Pick a known currency.'),
	approvalsRequired: z.coerce
		.number('Type a number from 1 to 5.')
		.int('Type a whole number from 1 to 5.')
		.min(1, 'At least one approval is needed.')
		.max(5, 'At most 5 approvals can be required.'),
	// Empty: no amount needs an admin.
	adminAbove: z
		.string()
		.trim()
		.regex(/^(\d{1,10}(\.\d{1,2})?)?$/, 'Type an amount like 5000, or leave it empty.')
		.refine(
			(s) => s === '' || Number(s) <= 1_000_000_000,
			'The amount can be at most 1,000,000,000.'
		)
		.default('')
});
export type FinanceSettingsInput = z.infer<typeof financeSettingsSchema>;

/** An exchange rate of the organization: 1 from = rate to, on a date. */
export const rateSchema = z
	.object({
		fromCurrency: z.enum(CURRENCIES, 'Pick a known currency.'),
		toCurrency: z.enum(CURRENCIES, 'Pick a known currency.'),
		rateDate: day,
		rate: z
			.string()
			.trim()
			.regex(/^\d{1,9}(\.\d{1,10})?$/, 'Type a positive rate, like 1.0825.')
			.refine((s) => Number(s) > 0, 'The rate must be more than zero.')
	})
	.refine((r) => r.fromCurrency !== r.toCurrency, {
		path: ['toCurrency'],
		message: 'Pick two different currencies.'
	});
export type RateInput = z.infer<typeof rateSchema>;

/** Which rate to remove (the pair and date). */
export const rateKeySchema = z.object({
	fromCurrency: z.enum(CURRENCIES, 'Pick a known currency.'),
	toCurrency: z.enum(CURRENCIES, 'Pick a known currency.'),
	rateDate: day
});
