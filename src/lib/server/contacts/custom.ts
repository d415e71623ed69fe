// Checks custom values against the organization's field definitions before
// they reach the database (which checks them again, set-based), so a form gets
// "custom.plan: is not one of the options" rather than a constraint error.
import type { FieldDefinition } from './fields.ts';
import { ContactFieldError } from './errors.ts';

type Json = string | number | boolean | string[];

/** What to write: values to set, keys to clear. */
export type CustomPatch = { set: Record<string, Json>; unset: string[] };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function isDate(value: string): boolean {
	const date = new Date(`${value}T00:00:00Z`);
	return (
		ISO_DATE.test(value) && !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value)
	);
}

function problem(field: FieldDefinition, value: unknown): string | null {
	switch (field.type) {
		case 'text':
			return typeof value === 'string' ? null : 'expects text';
		case 'number':
			return typeof value === 'number' && Number.isFinite(value) ? null : 'expects a number';
		case 'boolean':
			return typeof value === 'boolean' ? null : 'expects true or false';
		case 'date':
			return typeof value === 'string' && isDate(value) ? null : 'expects a date (YYYY-MM-DD)';
		case 'select':
			return typeof value === 'string' && field.options.includes(value)
				? null
				: `is not one of the options (${field.options.join(', ')})`;
		case 'multi_select':
			return Array.isArray(value) && value.every((v) => field.options.includes(v as string))
				? null
				: `expects a list of the options (${field.options.join(', ')})`;
	}
}

const isEmpty = (value: unknown) =>
	value === null || value === '' || (Array.isArray(value) && value.length === 0);

/**
 * Splits custom input into values to set and keys to clear; throws
 * ContactFieldError naming `custom.<key>` for an unknown field or a bad value.
 * `creating` also enforces required fields.
 */
export function checkCustom(
	fields: ReadonlyMap<string, FieldDefinition>,
	input: Record<string, unknown>,
	creating: boolean
): CustomPatch {
	const patch: CustomPatch = { set: {}, unset: [] };
	for (const [key, value] of Object.entries(input)) {
		const field = fields.get(key);
		if (!field) throw new ContactFieldError(`custom.${key}`, `There is no custom field "${key}".`);
		if (isEmpty(value)) {
			if (field.required)
				throw new ContactFieldError(`custom.${key}`, `${field.label} is required.`);
			patch.unset.push(key);
			continue;
		}
		const why = problem(field, value);
		if (why) throw new ContactFieldError(`custom.${key}`, `${field.label} ${why}.`);
		patch.set[key] = value as Json;
	}
	if (creating)
		for (const field of fields.values())
			if (field.required && !(field.key in patch.set))
				throw new ContactFieldError(`custom.${field.key}`, `${field.label} is required.`);
	return patch;
}
