// How product forms answer database refusals: a taken SKU on the SKU field.
import { failFromDb } from '$lib/server/db';
import type { SuperValidated } from 'sveltekit-superforms';
import type { FormMessage } from '$lib/forms';
import type { ProductInput } from '$lib/schemas/products';

const WORDS = {
	sku: 'Another product of this organization already uses this SKU.',
	price: 'A price cannot be negative.',
	currency: 'Pick a currency from the list.',
	imagePath: 'Pick an image from this organization’s Files.'
};

export const failProduct = (form: SuperValidated<ProductInput, FormMessage>, e: unknown) =>
	failFromDb(form, e, WORDS);
