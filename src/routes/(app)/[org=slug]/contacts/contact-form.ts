// The form of a contact (add and edit): the standard fields plus one input per
// custom field of the organization, checked by type. Built from the field
// definitions, so the same schema validates in the browser and in the action.
// Custom inputs are named `cf_<key>` and hold text (a multi-select: a list);
// toContactInput turns them into the values the contacts service takes.
import { z } from 'zod';
import { CONTACT_STATUSES } from './schema';

export type FieldType = 'text' | 'number' | 'date' | 'boolean' | 'select' | 'multi_select';

/** What the form needs to know of a custom field. */
export type FieldSpec = {
	key: string;
	label: string;
	type: FieldType;
	options: string[];
	required: boolean;
};

export type ContactFormData = Record<string, string | string[]>;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?$/;

export const inputName = (key: string) => `cf_${key}`;

const text = (max: number, label: string) =>
	z.string().trim().max(max, `${label} is at most ${max} characters.`).default('');

function customSchema(field: FieldSpec): z.ZodType<string | string[]> {
	const required = `${field.label} is required.`;
	if (field.type === 'multi_select') {
		const list = z.array(z.enum(field.options as [string, ...string[]])).default([]);
		return field.required ? list.refine((v) => v.length > 0, required) : list;
	}
	let value = z.string().trim().max(2000, `${field.label} is at most 2000 characters.`);
	if (field.required) value = value.min(1, required);
	const check = (ok: (v: string) => boolean, message: string) =>
		value.refine((v) => v === '' || ok(v), message).default('');
	switch (field.type) {
		case 'number':
			return check((v) => NUMBER.test(v), `${field.label} must be a number.`);
		case 'date':
			return check(
				(v) => ISO_DATE.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)),
				`${field.label} must be a date.`
			);
		case 'boolean':
			return check((v) => v === 'true' || v === 'false', `Choose yes or no.`);
		case 'select':
			return check(
				(v) => field.options.includes(v),
				`Choose one of the options of ${field.label}.`
			);
		default:
			return value.default('');
	}
}

export function contactFormSchema(fields: readonly FieldSpec[]) {
	const shape: Record<string, z.ZodType<string | string[]>> = {
		email: z
			.string()
			.trim()
			.max(254, 'That email address is too long.')
			.refine((v) => v === '' || z.email().safeParse(v).success, 'Enter a valid email address.')
			.default(''),
		phone: z
			.string()
			.trim()
			.refine(
				(v) => v === '' || /^\+?[0-9 ().-]{5,25}$/.test(v),
				'Enter a phone number like +33 1 23 45 67 89.'
			)
			.default(''),
		firstName: text(100, 'The first name'),
		lastName: text(100, 'The last name'),
		company: text(200, 'The company'),
		status: z.enum(CONTACT_STATUSES).default('subscribed')
	};
	for (const field of fields) shape[inputName(field.key)] = customSchema(field);
	return z.object(shape).refine((c) => c.email !== '' || c.phone !== '', {
		message: 'Enter an email address or a phone number.',
		path: ['email']
	});
}

/** The form's values for a contact (edit) or none (add). */
export function contactFormValues(
	fields: readonly FieldSpec[],
	contact?: {
		email: string | null;
		phone: string | null;
		firstName: string | null;
		lastName: string | null;
		company: string | null;
		status: string;
		custom: Record<string, unknown>;
	}
): ContactFormData {
	const values: ContactFormData = {
		email: contact?.email ?? '',
		phone: contact?.phone ?? '',
		firstName: contact?.firstName ?? '',
		lastName: contact?.lastName ?? '',
		company: contact?.company ?? '',
		status: contact?.status ?? 'subscribed'
	};
	for (const field of fields) {
		const value = contact?.custom[field.key];
		values[inputName(field.key)] =
			field.type === 'multi_select'
				? Array.isArray(value)
					? value.map(String)
					: []
				: typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
					? String(value)
					: '';
	}
	return values;
}

type CustomValue = string | number | boolean | string[] | null;

/** The form's values as the contacts service's input (an empty custom value clears it). */
export function toContactInput(fields: readonly FieldSpec[], data: ContactFormData) {
	const str = (name: string) => {
		const v = data[name];
		return typeof v === 'string' ? v : '';
	};
	const custom: Record<string, CustomValue> = {};
	for (const field of fields) {
		const raw = data[inputName(field.key)];
		if (field.type === 'multi_select') {
			custom[field.key] = Array.isArray(raw) && raw.length ? raw : null;
			continue;
		}
		const v = typeof raw === 'string' ? raw.trim() : '';
		custom[field.key] =
			v === ''
				? null
				: field.type === 'number'
					? Number(v)
					: field.type === 'boolean'
						? v === 'true'
						: v;
	}
	return {
		email: str('email') || null,
		phone: str('phone') || null,
		firstName: str('firstName') || null,
		lastName: str('lastName') || null,
		company: str('company') || null,
		status: str('status') as (typeof CONTACT_STATUSES)[number],
		custom
	};
}

/** Where a service error about a field shows on this form. */
export function errorFields(fields: readonly FieldSpec[]): Record<string, string> {
	return Object.fromEntries(fields.map((f) => [`custom.${f.key}`, inputName(f.key)]));
}
