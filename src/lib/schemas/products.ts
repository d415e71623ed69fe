// Product fields, shared by the form and the action (and the database's checks:
// SKU format, price ≥ 0 with 2 decimals, an ISO 4217 currency).
import { z } from 'zod';
import { CURRENCIES } from '$lib/iso';

/** File names a product image may have (what browsers show in an img). */
const IMAGE_NAME = /\.(png|jpe?g|gif|webp|avif)$/i;

export const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

export const productSchema = z.object({
	name: z.string().trim().min(1, 'Name the product.').max(200, 'Use at most 200 characters.'),
	sku: z
		.string()
		.trim()
		.min(1, 'Give the product a SKU (your stock code).')
		.max(64, 'A SKU is at most 64 characters.')
		.regex(
			SKU_PATTERN,
			'Use letters, digits and - _ . / only (no spaces), starting with a letter or digit.'
		),
	description: z.string().trim().max(2000, 'Keep the description under 2,000 characters.'),
	// Kept as text: a price is exact money, never a float.
	price: z
		.string()
		.trim()
		.min(1, 'Enter a price (0 for a free item).')
		.refine((v) => !v.startsWith('-'), 'A price cannot be negative.')
		.refine(
			(v) => v.startsWith('-') || /^\d+(\.\d{1,2})?$/.test(v),
			'Enter a price like 19.99, with at most two decimals.'
		)
		.refine(
			(v) => !/^\d+(\.\d{1,2})?$/.test(v) || Number(v) < 1e10,
			'A price is at most 9,999,999,999.99.'
		),
	currency: z.enum(CURRENCIES, 'Pick a currency.'),
	// The image's object in the org-files bucket (`<org id>/…/name.png`), picked
	// or uploaded with the Files picker; empty for none. The database checks the
	// organization's prefix.
	imagePath: z
		.string()
		.trim()
		.max(1024, 'Pick an image from Files.')
		.refine(
			(v) => v === '' || (/^[0-9a-f-]{36}\/./i.test(v) && !/(^|\/)\.\.(\/|$)/.test(v)),
			'Pick an image from Files.'
		)
		.refine((v) => v === '' || IMAGE_NAME.test(v), 'Pick an image (PNG, JPEG, GIF, WebP or AVIF).')
		.optional()
});
export type ProductInput = z.infer<typeof productSchema>;

/** The list's filters, from the URL: a search and whether archived products show. */
export const productFilterSchema = z.object({
	q: z.string().trim().max(100).catch(''),
	archived: z
		.enum(['1'])
		.optional()
		.catch(undefined)
		.transform((v) => v === '1')
});
