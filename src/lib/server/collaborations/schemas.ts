// What the Influencers tab of a campaign posts. The database checks the same
// bounds again (and the status machines); these give the field and the reason
// before a round trip.
import { z } from 'zod';

const uuid = (message: string) => z.uuid(message);

/** An optional text field: posted empty means "none". */
const optionalText = <T extends z.ZodType>(schema: T) =>
	z.preprocess(
		(v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
		schema.optional()
	);

export const inviteSchema = z.object({
	influencer_id: uuid('Pick an influencer from your CRM.'),
	rate_amount: z
		.string()
		.trim()
		.regex(/^\d{1,10}(\.\d{1,2})?$/, 'Enter the rate as an amount, e.g. 450 or 450.50.'),
	rate_currency: z.string().regex(/^[A-Z]{3}$/, 'Pick a currency.'),
	/** requirement id → how many; a line left at 0 is not delivered. */
	deliverables: z
		.array(
			z.object({
				requirement_id: uuid('Pick a line of the brief.'),
				count: z.coerce
					.number('Enter how many.')
					.int('Enter a whole number.')
					.min(0, 'Enter 0 or more.')
					.max(100, 'At most 100 of one deliverable.')
			})
		)
		.max(100)
		.default([])
});
export type InviteInput = z.output<typeof inviteSchema>;

export const statusSchema = z.object({
	collaboration_id: uuid('Pick a collaboration.'),
	status: z.enum(['accepted', 'rejected', 'completed'], 'Pick what the influencer answered.')
});
export type StatusInput = z.output<typeof statusSchema>;

export const linkSchema = z.object({
	collaboration_id: uuid('Pick a collaboration.'),
	link_url: optionalText(
		z
			.string()
			.trim()
			.max(2000, 'Keep the link under 2,000 characters.')
			.regex(
				/^https:\/\/[a-z0-9.-]+(:\d+)?(\/\S*)?$/i,
				'The link must start with https:// and have no spaces.'
			)
	),
	promo_code: optionalText(
		z
			.string()
			.trim()
			.regex(/^[A-Za-z0-9_-]{3,32}$/, 'Use 3 to 32 letters, digits, - or _ for the promo code.')
	)
});
export type LinkInput = z.output<typeof linkSchema>;

export const productSchema = z.object({
	collaboration_id: uuid('Pick a collaboration.'),
	product_id: uuid('Pick a product.'),
	quantity: z.coerce
		.number('Enter how many.')
		.int('Enter a whole number.')
		.min(1, 'Send at least one.')
		.max(10000, 'At most 10,000.')
});
export type ProductInput = z.output<typeof productSchema>;

export const SEEDING_STATUSES = ['chosen', 'ordered', 'shipped', 'delivered'] as const;
export type SeedingStatus = (typeof SEEDING_STATUSES)[number];

export const shipmentSchema = z.object({
	seeding_id: uuid('Pick a product line.'),
	status: z.enum(SEEDING_STATUSES, 'Pick a step.'),
	tracking_number: optionalText(
		z.string().trim().max(100, 'Keep the tracking number under 100 characters.')
	),
	carrier: optionalText(z.string().trim().max(60, 'Keep the carrier under 60 characters.'))
});
export type ShipmentInput = z.output<typeof shipmentSchema>;

/** A posted form's deliverable fields (`count:<requirement id>`) as a list. */
export function deliverablesFrom(form: FormData): Array<{ requirement_id: string; count: string }> {
	const out: Array<{ requirement_id: string; count: string }> = [];
	for (const [key, value] of form)
		if (key.startsWith('count:') && typeof value === 'string')
			out.push({ requirement_id: key.slice(6), count: value });
	return out;
}

export const importSchema = z.object({
	text: z.string().min(1, 'Choose a CSV file or paste its lines.')
});
