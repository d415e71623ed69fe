import * as products from '$lib/server/products';
import { productFilterSchema } from '$lib/schemas/products';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, parent, url }) => {
	const { org } = await parent();
	const filter = productFilterSchema.parse(Object.fromEntries(url.searchParams));
	return {
		filter,
		products: await locals.db((trx) => products.list(trx, org.id, filter))
	};
};
