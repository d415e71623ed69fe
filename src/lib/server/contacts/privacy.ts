// Privacy: erasure on request, one contact's data as JSON (access request),
// consent records, and the one question every sender must ask: may I?
import { sql } from 'kysely';
import { Constants } from '../../database.types.ts';
import type { Trx } from '../db/rls.ts';
import { get, type Contact } from './contacts.ts';
import { ContactPermissionError } from './errors.ts';
import { consentInputSchema, type ConsentInput } from './schemas.ts';

export const CHANNELS = Constants.public.Enums.consent_channel;
export type Channel = (typeof CHANNELS)[number];

/**
 * Whether a message may go to the contact on the channel: not erased, email
 * status subscribed (for email), a phone (for SMS/WhatsApp), and a latest
 * consent record that is not a withdrawal (SMS/WhatsApp need an explicit
 * grant). Every sender calls this (or public.contact_can_send in SQL).
 */
export async function canSend(trx: Trx, contactId: string, channel: Channel): Promise<boolean> {
	const { rows } = await sql<{ ok: boolean }>`select public.contact_can_send(${contactId}::uuid,
		${channel}::public.consent_channel) as ok`.execute(trx);
	return rows[0]?.ok ?? false;
}

/** The subset of contact ids that may be messaged on the channel (for bulk senders). */
export async function sendable(
	trx: Trx,
	contactIds: string[],
	channel: Channel
): Promise<string[]> {
	if (contactIds.length === 0) return [];
	const { rows } = await sql<{ id: string }>`select id from unnest(${contactIds}::uuid[]) id
		where public.contact_can_send(id, ${channel}::public.consent_channel)`.execute(trx);
	return rows.map((r) => r.id);
}

/** Appends a consent record (withdrawing email consent also unsubscribes). */
export async function recordConsent(
	trx: Trx,
	orgId: string,
	contactId: string,
	input: ConsentInput
): Promise<void> {
	const c = consentInputSchema.parse(input);
	await get(trx, orgId, contactId);
	await trx
		.insertInto('consent_records')
		.values({ org_id: orgId, contact_id: contactId, ...c })
		.execute();
}

/** Erases a contact's personal data (kept: a tombstone, its timeline without payloads, an audit entry). */
export async function erase(trx: Trx, orgId: string, contactId: string): Promise<void> {
	await get(trx, orgId, contactId);
	await sql`select public.erase_contact(${contactId}::uuid)`.execute(trx);
}

export type ContactDataExport = {
	exportedAt: string;
	contact: Contact;
	customFields: Array<{ key: string; label: string; value: unknown }>;
	tags: string[];
	segments: string[];
	consent: Array<{ channel: string; status: string; source: string; recordedAt: string }>;
	events: Array<{ type: string; occurredAt: string; payload: unknown }>;
};

/** Everything held about one contact, as JSON (GDPR art. 15/20). Needs contacts.export. */
export async function exportData(
	trx: Trx,
	orgId: string,
	contactId: string
): Promise<ContactDataExport> {
	const { rows } = await sql<{ allowed: boolean }>`select private.has_permission(${orgId}::uuid,
		'contacts.export') as allowed`.execute(trx);
	if (!rows[0]?.allowed) throw new ContactPermissionError('contacts.export');
	const contact = await get(trx, orgId, contactId);
	const [fields, tags, segments, consent, events] = await Promise.all([
		trx.selectFrom('contact_fields').select(['key', 'label']).where('org_id', '=', orgId).execute(),
		trx
			.selectFrom('contact_tags as ct')
			.innerJoin('tags as t', 't.id', 'ct.tag_id')
			.select('t.name')
			.where('ct.org_id', '=', orgId)
			.where('ct.contact_id', '=', contactId)
			.execute(),
		trx
			.selectFrom('segment_memberships as m')
			.innerJoin('segments as s', 's.id', 'm.segment_id')
			.select('s.name')
			.where('m.org_id', '=', orgId)
			.where('m.contact_id', '=', contactId)
			.execute(),
		trx
			.selectFrom('consent_records')
			.select(['channel', 'status', 'source', 'recorded_at'])
			.where('org_id', '=', orgId)
			.where('contact_id', '=', contactId)
			.orderBy('recorded_at')
			.execute(),
		trx
			.selectFrom('events')
			.select(['type', 'occurred_at', 'payload'])
			.where('org_id', '=', orgId)
			.where('subject_type', '=', 'contact')
			.where('subject_id', '=', contactId)
			.orderBy('occurred_at')
			.orderBy('id')
			.execute()
	]);
	const iso = (d: string | Date) => (d instanceof Date ? d.toISOString() : d);
	return {
		exportedAt: new Date().toISOString(),
		contact,
		customFields: fields
			.filter((f) => f.key in contact.custom)
			.map((f) => ({ key: f.key, label: f.label, value: contact.custom[f.key] })),
		tags: tags.map((t) => t.name),
		segments: segments.map((s) => s.name),
		consent: consent.map((r) => ({
			channel: r.channel,
			status: r.status,
			source: r.source,
			recordedAt: iso(r.recorded_at)
		})),
		events: events.map((e) => ({
			type: e.type,
			occurredAt: iso(e.occurred_at),
			payload: e.payload
		}))
	};
}
