// Custom field definitions (public.contact_fields). Key and type are fixed
// once created; deleting a field strips its values in the background.
import type { Trx } from '../db/rls.ts';
import { ContactFieldError } from './errors.ts';
import {
	fieldInputSchema,
	fieldUpdateSchema,
	type FieldInput,
	type FieldUpdate
} from './schemas.ts';

export type FieldType = 'text' | 'number' | 'date' | 'boolean' | 'select' | 'multi_select';

export type FieldDefinition = {
	id: string;
	key: string;
	label: string;
	type: FieldType;
	options: string[];
	required: boolean;
	indexed: boolean;
	position: number;
};

const columns = [
	'id',
	'key',
	'label',
	'type',
	'options',
	'required',
	'indexed',
	'position'
] as const;

/** The organization's custom fields, in display order. */
export async function listFields(trx: Trx, orgId: string): Promise<FieldDefinition[]> {
	return trx
		.selectFrom('contact_fields')
		.select(columns)
		.where('org_id', '=', orgId)
		.orderBy('position')
		.orderBy('key')
		.execute();
}

/** The same, keyed by field key (what validation and the rule compiler need). */
export async function fieldMap(trx: Trx, orgId: string): Promise<Map<string, FieldDefinition>> {
	return new Map((await listFields(trx, orgId)).map((f) => [f.key, f]));
}

export async function createField(
	trx: Trx,
	orgId: string,
	input: FieldInput
): Promise<FieldDefinition> {
	const f = fieldInputSchema.parse(input);
	return trx
		.insertInto('contact_fields')
		.values({ org_id: orgId, ...f })
		.returning(columns)
		.executeTakeFirstOrThrow();
}

export async function updateField(
	trx: Trx,
	orgId: string,
	key: string,
	input: FieldUpdate
): Promise<FieldDefinition> {
	const patch = fieldUpdateSchema.parse(input);
	const row = await trx
		.updateTable('contact_fields')
		.set(patch)
		.where('org_id', '=', orgId)
		.where('key', '=', key)
		.returning(columns)
		.executeTakeFirst();
	if (!row) throw new ContactFieldError(key, `There is no custom field "${key}".`);
	return row;
}

/** Deletes a field; its values disappear from contacts shortly after (worker). */
export async function deleteField(trx: Trx, orgId: string, key: string): Promise<void> {
	const result = await trx
		.deleteFrom('contact_fields')
		.where('org_id', '=', orgId)
		.where('key', '=', key)
		.executeTakeFirst();
	if (result.numDeletedRows === 0n)
		throw new ContactFieldError(key, `There is no custom field "${key}".`);
}
