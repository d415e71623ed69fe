// A product's image: the object picked or uploaded with the Files picker is
// kept as its name in org-files (under the organization's folder), changed
// and removed with the product; the form's schema refuses a path that is not
// an image or not a Files path, and the database refuses another
// organization's folder with the field named, writing nothing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mapDbError } from '../../src/lib/server/db/errors.ts';
import * as products from '../../src/lib/server/products/index.ts';
import { productSchema, type ProductInput } from '../../src/lib/schemas/products.ts';
import { createContactsWorld, type ContactsWorld } from '../contacts/world.ts';

let w: ContactsWorld;
beforeAll(async () => {
	w = await createContactsWorld();
});
afterAll(async () => {
	await w.cleanup();
});

const product = (over: Partial<ProductInput> = {}): ProductInput => ({
	name: 'Trail jacket',
	sku: 'IMG-1',
	description: '',
	price: '129.90',
	currency: 'EUR',
	...over
});

it('keeps, changes and removes the image with the product', async () => {
	const path = `${w.orgA}/Products/jacket.png`;
	const id = await w.as('admin', (trx) =>
		products.create(trx, w.orgA, product({ imagePath: path }))
	);
	expect((await w.as('viewer', (trx) => products.get(trx, w.orgA, id)))?.imagePath).toBe(path);
	await w.as('admin', (trx) =>
		products.update(trx, w.orgA, id, product({ imagePath: `${w.orgA}/Products/jacket-2.webp` }))
	);
	expect((await w.as('viewer', (trx) => products.get(trx, w.orgA, id)))?.imagePath).toBe(
		`${w.orgA}/Products/jacket-2.webp`
	);
	await w.as('admin', (trx) => products.update(trx, w.orgA, id, product({ imagePath: '' })));
	expect((await w.as('viewer', (trx) => products.get(trx, w.orgA, id)))?.imagePath).toBeNull();
});

it('refuses a file that is not an image, or not from Files, with the field', () => {
	const issues = (imagePath: string) =>
		productSchema
			.safeParse(product({ imagePath }))
			.error?.issues.map((i) => [i.path.join('.'), i.message]);
	expect(issues(`${w.orgA}/Products/price-list.pdf`)).toEqual([
		['imagePath', 'Pick an image (PNG, JPEG, GIF, WebP or AVIF).']
	]);
	expect(issues('https://example.com/x.png')).toEqual([['imagePath', 'Pick an image from Files.']]);
	expect(issues(`${w.orgA}/../${w.orgB}/x.png`)).toEqual([
		['imagePath', 'Pick an image from Files.']
	]);
	expect(issues('')).toBeUndefined();
});

it("refuses another organization's folder, writing nothing", async () => {
	const error = await w
		.as('admin', (trx) =>
			products.create(
				trx,
				w.orgA,
				product({ sku: 'IMG-2', imagePath: `${w.orgB}/Products/theirs.png` })
			)
		)
		.catch((e: unknown) => e);
	expect(mapDbError(error)).toMatchObject({ status: 422, field: 'image_path' });
	const list = await w.as('viewer', (trx) => products.list(trx, w.orgA, { q: 'IMG-2' }));
	expect(list).toEqual([]);
});
