// The wizard's products and creative steps read back from a posted form
// (without JavaScript) and checked by the same zod schemas as on the client:
// the blank line is ignored, discounts are bounded, tags get their sign.
import { describe, expect, it } from 'vitest';
import { creativeFromForm, productsFromForm } from '../../src/lib/campaign-brief-form.ts';
import {
	creativeSectionSchema,
	productsSectionSchema
} from '../../src/lib/schemas/campaign-brief.ts';

const A = '0b8f4a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';
const B = '1c9f4a3e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';

function form(entries: [string, string][]): FormData {
	const f = new FormData();
	for (const [k, v] of entries) f.append(k, v);
	return f;
}

describe('products step', () => {
	it('reads lines, leaves the blank one out and coerces numbers', () => {
		const parsed = productsSectionSchema.parse(
			productsFromForm(
				form([
					['product_id', A],
					['quantity', '3'],
					['discount_percent', '12.5'],
					['product_id', ''],
					['quantity', '1'],
					['discount_percent', '0']
				])
			)
		);
		expect(parsed).toEqual({ lines: [{ product_id: A, quantity: 3, discount_percent: 12.5 }] });
	});

	it('refuses discounts over 100 %, zero quantities and a product twice, with the reason', () => {
		const result = productsSectionSchema.safeParse({
			lines: [
				{ product_id: A, quantity: 0, discount_percent: 150 },
				{ product_id: A, quantity: 1, discount_percent: 0 }
			]
		});
		expect(result.success).toBe(false);
		const messages = result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
		expect(messages).toEqual(
			expect.arrayContaining([
				'lines.0.quantity: A quantity is at least 1.',
				'lines.0.discount_percent: A discount is at most 100%.',
				'lines: A product is listed twice: change its quantity instead.'
			])
		);
	});
});

describe('creative step', () => {
	it('reads requirements by id, with signed hashtags and mentions', () => {
		const parsed = creativeSectionSchema.parse(
			creativeFromForm(
				form([
					['requirement_id', B],
					[`deliverable:${B}`, 'reel'],
					[`platform:${B}`, 'instagram'],
					[`format:${B}`, '9:16'],
					[`count:${B}`, '2'],
					[`due_on:${B}`, '2099-03-15'],
					[`guidelines:${B}`, 'Rain.'],
					[`hashtags:${B}`, 'springlaunch, #trail'],
					[`mentions:${B}`, 'northwind'],
					[`accepted_kinds:${B}`, 'video']
				])
			)
		);
		expect(parsed.requirements[0]).toMatchObject({
			id: B,
			count: 2,
			hashtags: ['#springlaunch', '#trail'],
			mentions: ['@northwind'],
			accepted_kinds: ['video']
		});
	});

	it('refuses an unknown platform and a count of 0', () => {
		const result = creativeSectionSchema.safeParse({
			requirements: [
				{
					id: B,
					deliverable: 'reel',
					platform: 'myspace',
					format: '',
					count: 0,
					due_on: '',
					guidelines: '',
					hashtags: [],
					mentions: [],
					accepted_kinds: []
				}
			]
		});
		expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual([
			'requirements.0.platform',
			'requirements.0.count'
		]);
	});
});
