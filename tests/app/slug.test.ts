// Every organization name gets an address that the slug rules accept.
import { describe, expect, it } from 'vitest';
import { orgSlug } from '../../src/lib/schemas/orgs.ts';
import { suggestSlug } from '../../src/lib/slug.ts';

describe('suggestSlug', () => {
	it.each([
		['Acme & Co.', 'acme-co'],
		['Crème Brûlée Café', 'creme-brulee-cafe'],
		['北京咖啡', 'beijingkafei'],
		['مقهى الصباح', 'mqha-lsbh'],
		['Кофейня', 'kofeynya']
	])('%s → %s', async (name, slug) => {
		expect(await suggestSlug(name)).toBe(slug);
	});

	it.each(['🚀🚀', '☕', '!!!', '٣'])('gives %s a valid address', async (name) => {
		const slug = await suggestSlug(name);
		expect(orgSlug.safeParse(slug).success, slug).toBe(true);
		expect(await suggestSlug(name)).toBe(slug);
	});

	it('names with no letters get distinct addresses', async () => {
		expect(await suggestSlug('🚀')).not.toBe(await suggestSlug('🌈'));
	});

	it('leaves an empty name empty', async () => {
		expect(await suggestSlug('  ')).toBe('');
	});
});
