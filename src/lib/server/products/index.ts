// Products. Use as `import * as products from '$lib/server/products'`.
export {
	create,
	get,
	list,
	setArchived,
	update,
	type Product,
	type ProductFilter
} from './queries';
