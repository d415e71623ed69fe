// Contacts: create, update, delete, and read one. Each takes the request's RLS
// transaction first; Row Level Security decides who may read and write.
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';
import { checkCustom } from './custom.ts';
import { ContactNotFoundError } from './errors.ts';
import { fieldMap } from './fields.ts';
import { contactInputSchema, type ContactInput } from './schemas.ts';

export type ContactStatus = 'subscribed' | 'unsubscribed' | 'bounced';

export type Contact = {
	id: string;
	email: string | null;
	phone: string | null;
	firstName: string | null;
	lastName: string | null;
	company: string | null;
	source: string;
	status: ContactStatus;
	custom: Record<string, unknown>;
	erasedAt: string | null;
	createdAt: string;
	updatedAt: string;
};

/** Columns of a contact, qualified with the alias `c` (reads). */
export const contactColumns = [
	'c.id',
	'c.email',
	'c.phone',
	'c.first_name',
	'c.last_name',
	'c.company',
	'c.source',
	'c.status',
	'c.custom',
	'c.erased_at',
	'c.created_at',
	'c.updated_at'
] as const;

/** The same, unqualified (returning of writes). */
const returned = [
	'id',
	'email',
	'phone',
	'first_name',
	'last_name',
	'company',
	'source',
	'status',
	'custom',
	'erased_at',
	'created_at',
	'updated_at'
] as const;

export type ContactRow = {
	id: string;
	email: string | null;
	phone: string | null;
	first_name: string | null;
	last_name: string | null;
	company: string | null;
	source: string;
	status: ContactStatus;
	custom: unknown;
	erased_at: string | Date | null;
	created_at: string | Date;
	updated_at: string | Date;
};

const iso = (d: string | Date) => (d instanceof Date ? d.toISOString() : d);

export function toContact(row: ContactRow): Contact {
	return {
		id: row.id,
		email: row.email,
		phone: row.phone,
		firstName: row.first_name,
		lastName: row.last_name,
		company: row.company,
		source: row.source,
		status: row.status,
		custom: (row.custom ?? {}) as Record<string, unknown>,
		erasedAt: row.erased_at ? iso(row.erased_at) : null,
		createdAt: iso(row.created_at),
		updatedAt: iso(row.updated_at)
	};
}

/** Creates a contact; throws ContactFieldError for bad custom values, 23505 (mapped 409) for a taken email. */
export async function create(trx: Trx, orgId: string, input: ContactInput): Promise<Contact> {
	const c = contactInputSchema.parse(input);
	const custom = checkCustom(await fieldMap(trx, orgId), c.custom ?? {}, true);
	const row = await trx
		.insertInto('contacts')
		.values({
			org_id: orgId,
			email: c.email ?? null,
			phone: c.phone ?? null,
			first_name: c.firstName ?? null,
			last_name: c.lastName ?? null,
			company: c.company ?? null,
			source: c.source ?? 'manual',
			status: c.status ?? 'subscribed',
			custom: JSON.stringify(custom.set)
		})
		.returning(returned)
		.executeTakeFirstOrThrow();
	return toContact(row);
}

/** Changes the given fields only; custom values are merged (null clears one). */
export async function update(
	trx: Trx,
	orgId: string,
	contactId: string,
	input: ContactInput
): Promise<Contact> {
	const c = contactInputSchema.parse(input);
	const custom = c.custom ? checkCustom(await fieldMap(trx, orgId), c.custom, false) : null;
	const row = await trx
		.updateTable('contacts')
		.set({
			...(c.email !== undefined && { email: c.email }),
			...(c.phone !== undefined && { phone: c.phone }),
			...(c.firstName !== undefined && { first_name: c.firstName }),
			...(c.lastName !== undefined && { last_name: c.lastName }),
			...(c.company !== undefined && { company: c.company }),
			...(c.source !== undefined && { source: c.source }),
			...(c.status !== undefined && { status: c.status }),
			...(custom && {
				custom: sql`(contacts.custom || ${JSON.stringify(custom.set)}::jsonb) - ${custom.unset}::text[]`
			})
		})
		.where('org_id', '=', orgId)
		.where('id', '=', contactId)
		.returning(returned)
		.executeTakeFirst();
	if (!row) throw new ContactNotFoundError(contactId);
	return toContact(row);
}

/** Deletes a contact outright (duplicates, test data). Erasure on request is privacy.erase. */
export async function remove(trx: Trx, orgId: string, contactId: string): Promise<void> {
	const result = await trx
		.deleteFrom('contacts')
		.where('org_id', '=', orgId)
		.where('id', '=', contactId)
		.executeTakeFirst();
	if (result.numDeletedRows === 0n) throw new ContactNotFoundError(contactId);
}

/** One contact, or ContactNotFoundError. */
export async function get(trx: Trx, orgId: string, contactId: string): Promise<Contact> {
	const row = await trx
		.selectFrom('contacts as c')
		.select(contactColumns)
		.where('c.org_id', '=', orgId)
		.where('c.id', '=', contactId)
		.executeTakeFirst();
	if (!row) throw new ContactNotFoundError(contactId);
	return toContact(row);
}
