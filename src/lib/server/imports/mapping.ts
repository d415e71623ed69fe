// Column mapping: which contact field each column fills. Suggested from the
// header names (common spellings of the standard fields, custom field keys and
// labels, and every header the export writes, so an exported file maps itself),
// checked against the file and the organization before a run.
import type { FieldDefinition } from '../contacts/fields.ts';
import { ImportMappingError } from './errors.ts';

export const STANDARD_TARGETS = [
	'email',
	'phone',
	'first_name',
	'last_name',
	'company',
	'status',
	'full_name',
	'tags'
] as const;
export type StandardTarget = (typeof STANDARD_TARGETS)[number];
/** A column's target: a standard field, `custom.<key>`, or null to skip the column. */
export type Target = StandardTarget | `custom.${string}` | null;

const SYNONYMS: Record<StandardTarget, string[]> = {
	email: ['email', 'emailaddress', 'mail', 'email1', 'emailaddr', 'courriel'],
	phone: ['phone', 'phonenumber', 'mobile', 'mobilephone', 'cell', 'telephone', 'tel', 'whatsapp'],
	first_name: ['firstname', 'first', 'givenname', 'fname', 'forename', 'prenom'],
	last_name: ['lastname', 'last', 'surname', 'familyname', 'lname', 'nom'],
	company: ['company', 'companyname', 'organization', 'organisation', 'employer', 'business'],
	status: ['status', 'subscriptionstatus', 'emailstatus'],
	// Split into first and last name by the import (pipeline.ts, fullNameSplit).
	full_name: ['name', 'fullname', 'contactname', 'displayname', 'nomcomplet'],
	// Split on the import's tag separator; the export writes "Tags" joined by "; ".
	tags: ['tags', 'tag', 'labels']
};

const normalize = (s: string) =>
	s
		.normalize('NFD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]/g, '');

/** A mapping guessed from the header; each target is used at most once. */
export function suggestMapping(headers: string[], fields: Iterable<FieldDefinition>): Target[] {
	const candidates = new Map<string, Target>();
	for (const field of fields) {
		candidates.set(normalize(field.key), `custom.${field.key}`);
		candidates.set(normalize(field.label), `custom.${field.key}`);
	}
	for (const target of STANDARD_TARGETS)
		for (const name of SYNONYMS[target]) candidates.set(name, target);
	const used = new Set<Target>();
	return headers.map((header) => {
		const target = candidates.get(normalize(header)) ?? null;
		if (!target || used.has(target)) return null;
		used.add(target);
		return target;
	});
}

/**
 * Checks a mapping against the file's header and the organization's fields:
 * one target per column, no target twice, an email or phone column, every
 * required custom field mapped. Throws ImportMappingError naming the column.
 */
export function checkMapping(
	mapping: Target[],
	headers: string[],
	fields: ReadonlyMap<string, FieldDefinition>
): void {
	if (mapping.length !== headers.length)
		throw new ImportMappingError(
			`The mapping has ${mapping.length} columns but the file has ${headers.length}.`
		);
	const seen = new Map<string, number>();
	mapping.forEach((target, i) => {
		if (target === null) return;
		const column = `column ${i + 1} ("${headers[i]}")`;
		if (target.startsWith('custom.')) {
			const key = target.slice('custom.'.length);
			if (!fields.has(key))
				throw new ImportMappingError(
					`${column} is mapped to the custom field "${key}", which does not exist.`,
					i
				);
		} else if (!STANDARD_TARGETS.includes(target as StandardTarget)) {
			throw new ImportMappingError(`${column} is mapped to "${target}", which is not a field.`, i);
		}
		const before = seen.get(target);
		if (before !== undefined)
			throw new ImportMappingError(
				`${column} and column ${before + 1} ("${headers[before]}") are both mapped to ${target}.`,
				i
			);
		seen.set(target, i);
	});
	if (!seen.has('email') && !seen.has('phone'))
		throw new ImportMappingError(
			'Map a column to email (or to phone): contacts are matched by email.'
		);
	for (const field of fields.values())
		if (field.required && !seen.has(`custom.${field.key}`))
			throw new ImportMappingError(
				`The required field "${field.label}" is not mapped to a column.`
			);
}
