// Reads the wizard's products and creative steps from a posted form (they
// work without JavaScript: repeated fields, one per line), into the section
// shapes of $lib/schemas/campaign-brief, ready for its zod schemas.
import { newRequirement, splitTags } from './schemas/campaign-brief.ts';

/** Text values only (a file posted under a field's name counts as empty). */
const text = (v: FormDataEntryValue | null) => (typeof v === 'string' ? v : '');
const all = (form: FormData, name: string) => form.getAll(name).map(text);

/** Lines whose product is chosen; the blank line the step always shows is left out. */
export function productsFromForm(form: FormData) {
	const ids = all(form, 'product_id');
	const quantities = all(form, 'quantity');
	const discounts = all(form, 'discount_percent');
	return {
		lines: ids
			.map((product_id, i) => ({
				product_id,
				quantity: quantities[i] ?? '',
				discount_percent: discounts[i] || '0'
			}))
			.filter((l) => l.product_id !== '')
	};
}

/**
 * Requirements by their id (`requirement_id` repeated; fields named
 * `<field>:<id>`). Without JavaScript the step's "Add a requirement" button
 * posts `add_requirement` (a new, empty one is appended) and "Remove" posts
 * `remove_requirement=<id>` (that one is left out).
 */
export function creativeFromForm(form: FormData) {
	const removed = text(form.get('remove_requirement'));
	const requirements: Record<string, unknown>[] = all(form, 'requirement_id')
		.filter((id) => id !== '' && id !== removed)
		.map((id) => {
			const one = (field: string) => text(form.get(`${field}:${id}`));
			return {
				id,
				deliverable: one('deliverable'),
				platform: one('platform'),
				format: one('format'),
				count: one('count'),
				due_on: one('due_on'),
				guidelines: one('guidelines'),
				hashtags: splitTags(one('hashtags'), '#'),
				mentions: splitTags(one('mentions'), '@'),
				accepted_kinds: all(form, `accepted_kinds:${id}`)
			};
		});
	if (form.has('add_requirement')) requirements.push(newRequirement());
	return { requirements };
}
