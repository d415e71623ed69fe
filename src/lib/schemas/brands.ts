// Brand (store) fields, shared by the form and the action.
import { z } from 'zod';

const optionalText = (max: number, label: string) =>
	z
		.string()
		.trim()
		.max(max, `${label} is at most ${max} characters.`)
		.transform((v) => (v === '' ? null : v))
		.nullable();

export const brandSchema = z.object({
	name: z.string().trim().min(1, 'Name the brand.').max(100, 'Use at most 100 characters.'),
	email: z
		.string()
		.trim()
		.max(254, 'That email address is too long.')
		.refine((v) => v === '' || z.email().safeParse(v).success, 'Enter a valid email address.')
		.transform((v) => (v === '' ? null : v))
		.nullable(),
	phone: z
		.string()
		.trim()
		.refine(
			(v) => v === '' || /^\+?[0-9 ().-]{5,25}$/.test(v),
			'Enter a phone number like +33 1 23 45 67 89.'
		)
		.transform((v) => (v === '' ? null : v))
		.nullable(),
	address: optionalText(200, 'The address'),
	city: optionalText(100, 'The city'),
	state: optionalText(100, 'The state'),
	zip: optionalText(20, 'The postal code'),
	country: optionalText(100, 'The country')
});
export type BrandInput = z.infer<typeof brandSchema>;
