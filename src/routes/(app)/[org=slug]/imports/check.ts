// The import wizard's checks before a run, in the browser: the mapping (what
// the server checks again on start) and the sample rows, cell by cell, with
// the rules the worker applies to the whole file (pipeline.ts). A problem here
// is shown next to its row and column before anything is imported.
import { z } from 'zod';
import { Constants } from '$lib/database.types';
import { splitFullName } from '$lib/full-name';

export const STANDARD_TARGETS = {
	email: 'Email',
	phone: 'Phone',
	first_name: 'First name',
	last_name: 'Last name',
	company: 'Company',
	status: 'Email status',
	full_name: 'Full name (split into first and last)',
	tags: 'Tags'
} as const;

export type FieldSpec = {
	key: string;
	label: string;
	type: 'text' | 'number' | 'date' | 'boolean' | 'select' | 'multi_select';
	options: string[];
	required: boolean;
};

/** A column's target: a standard field, `custom.<key>`, or '' to skip the column. */
export type Target = string;

export type Problem = { column: number | null; message: string };
export type CellProblem = { row: number; column: number | null; message: string; value: string };

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const PHONE = /^\+?[0-9 ().-]{5,25}$/;
const NUMBER = /^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]{1,3})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const YES_NO = ['true', 'yes', 'y', '1', 'on', 'false', 'no', 'n', '0', 'off'];

export function targetLabel(target: Target, fields: readonly FieldSpec[]): string {
	if (target in STANDARD_TARGETS) return STANDARD_TARGETS[target as keyof typeof STANDARD_TARGETS];
	const field = fields.find((f) => `custom.${f.key}` === target);
	return field?.label ?? target;
}

/** What is wrong with a mapping as a whole (the service refuses to start with any of these). */
export function mappingProblems(
	mapping: readonly Target[],
	headers: readonly string[],
	fields: readonly FieldSpec[]
): Problem[] {
	const problems: Problem[] = [];
	const seen = new Map<string, number>();
	mapping.forEach((target, i) => {
		if (!target) return;
		const before = seen.get(target);
		if (before !== undefined)
			problems.push({
				column: i,
				message: `Columns “${headers[before]}” and “${headers[i]}” are both mapped to ${targetLabel(target, fields)}.`
			});
		else seen.set(target, i);
	});
	if (!seen.has('email') && !seen.has('phone'))
		problems.push({
			column: null,
			message: 'Map a column to Email (or Phone): contacts are matched by email.'
		});
	for (const field of fields)
		if (field.required && !seen.has(`custom.${field.key}`))
			problems.push({
				column: null,
				message: `The required field “${field.label}” is not mapped to a column.`
			});
	return problems;
}

/** A Tags cell's tags, split as the worker splits them. */
export function splitTags(value: string, separator: string): string[] {
	return value
		.split(separator)
		.map((t) => t.trim())
		.filter(Boolean);
}

function cellProblem(
	target: Target,
	value: string,
	fields: readonly FieldSpec[],
	tagSeparator: string
): string | null {
	switch (target) {
		case 'email':
			return value.length > 254 || !EMAIL.test(value) ? 'is not a valid email address' : null;
		case 'phone':
			return PHONE.test(value) ? null : 'is not a valid phone number';
		case 'first_name':
		case 'last_name':
			return value.length > 100 ? 'is longer than 100 characters' : null;
		case 'company':
			return value.length > 200 ? 'is longer than 200 characters' : null;
		case 'full_name': {
			const { first, last } = splitFullName(value);
			return (first?.length ?? 0) > 100 || (last?.length ?? 0) > 100
				? 'has a first or last name longer than 100 characters'
				: null;
		}
		case 'tags': {
			const tags = splitTags(value, tagSeparator);
			if (tags.some((t) => t.length > 50)) return 'has a tag longer than 50 characters';
			return tags.length > 100 ? 'has more than 100 tags' : null;
		}
		case 'status':
			return (Constants.public.Enums.contact_status as readonly string[]).includes(
				value.toLowerCase()
			)
				? null
				: 'must be subscribed, unsubscribed or bounced';
	}
	const field = fields.find((f) => `custom.${f.key}` === target);
	if (!field) return null;
	const lower = (options: string[]) => options.map((o) => o.toLowerCase());
	switch (field.type) {
		case 'text':
			return value.length > 2000 ? 'is longer than 2000 characters' : null;
		case 'number':
			return value.length <= 40 && NUMBER.test(value) ? null : 'is not a number';
		case 'boolean':
			return YES_NO.includes(value.toLowerCase()) ? null : 'is not yes/no or true/false';
		case 'date':
			return DATE.test(value) && z.iso.date().safeParse(value).success
				? null
				: 'is not a date (use YYYY-MM-DD)';
		case 'select':
			return lower(field.options).includes(value.toLowerCase())
				? null
				: "is not one of the field's options";
		case 'multi_select':
			return value
				.split(/\s*[;|,]\s*/)
				.filter(Boolean)
				.every((part) => lower(field.options).includes(part.toLowerCase()))
				? null
				: 'has values that are not options of the field';
	}
}

/**
 * A cell as the import reads it: trimmed, and without the apostrophe the
 * export puts before a leading =, +, -, @, tab or return ("'+1 555…" is a
 * phone number), as the worker's cellValue (pipeline.ts).
 */
export function cellValue(raw: string): string {
	return (raw.startsWith("'") ? raw.replace(/^'('*[-=+@\t\r])/, '$1') : raw).trim();
}

/**
 * Problems of the sample rows under a mapping, by spreadsheet row (the header
 * is row 1) and column. Blank rows are skipped, as the import skips them.
 */
export function sampleProblems(
	sample: readonly string[][],
	mapping: readonly Target[],
	fields: readonly FieldSpec[],
	tagSeparator = ';'
): CellProblem[] {
	const problems: CellProblem[] = [];
	const emailAt = mapping.indexOf('email');
	const phoneAt = mapping.indexOf('phone');
	sample.forEach((cells, r) => {
		const row = r + 2;
		const value = (i: number) => cellValue(cells[i] ?? '');
		if (cells.every((c) => c.trim() === '')) return;
		mapping.forEach((target, i) => {
			if (!target) return;
			const v = value(i);
			const field = fields.find((f) => `custom.${f.key}` === target);
			if (v === '') {
				if (field?.required) problems.push({ row, column: i, message: 'is required', value: v });
				return;
			}
			const message = cellProblem(target, v, fields, tagSeparator);
			if (message) problems.push({ row, column: i, message, value: v });
		});
		const noEmail = emailAt < 0 || value(emailAt) === '';
		const noPhone = phoneAt < 0 || value(phoneAt) === '';
		if (noEmail && noPhone && (emailAt >= 0 || phoneAt >= 0))
			problems.push({
				row,
				column: null,
				message: 'needs an email address or a phone number',
				value: ''
			});
	});
	return problems;
}
