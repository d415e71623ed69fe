// The contact page: fields with their definitions, tags, segments, consent,
// whether each channel may be used, and the first page of its timeline.
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';
import { get, type Contact } from './contacts.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { listFields, type FieldDefinition } from './fields.ts';
import { CHANNELS, type Channel } from './privacy.ts';

export type TimelineEvent = {
	id: string;
	type: string;
	occurredAt: string;
	actorId: string | null;
	payload: Record<string, unknown>;
};

export type ContactDetail = {
	contact: Contact;
	fields: Array<FieldDefinition & { value: unknown }>;
	tags: Array<{ id: string; name: string; color: string }>;
	segments: Array<{ id: string; name: string; enteredAt: string }>;
	consent: Array<{
		channel: Channel;
		status: 'granted' | 'withdrawn';
		source: string;
		recordedAt: string;
	}>;
	canSend: Record<Channel, boolean>;
	timeline: { items: TimelineEvent[]; nextCursor: string | null };
};

const iso = (d: string | Date) => (d instanceof Date ? d.toISOString() : d);

/** Events about a contact, newest first, keyset-paged. */
export async function timeline(
	trx: Trx,
	orgId: string,
	contactId: string,
	options: { before?: string; limit?: number } = {}
): Promise<ContactDetail['timeline']> {
	const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
	let query = trx
		.selectFrom('events as e')
		.select(['e.id', 'e.type', 'e.occurred_at', 'e.actor_id', 'e.payload'])
		.select(sql<string>`e.occurred_at::text`.as('cursor_value'))
		.where('e.org_id', '=', orgId)
		.where('e.subject_type', '=', 'contact')
		.where('e.subject_id', '=', contactId);
	if (options.before) {
		const { v, id } = decodeCursor(options.before);
		query = query.where(sql<boolean>`(e.occurred_at, e.id) < (${v}::timestamptz, ${id}::bigint)`);
	}
	const rows = await query
		.orderBy('e.occurred_at', 'desc')
		.orderBy('e.id', 'desc')
		.limit(limit + 1)
		.execute();
	const page = rows.slice(0, limit);
	const last = page.at(-1);
	return {
		items: page.map((r) => ({
			id: String(r.id),
			type: r.type,
			occurredAt: iso(r.occurred_at),
			actorId: r.actor_id,
			payload: r.payload as Record<string, unknown>
		})),
		nextCursor:
			rows.length > limit && last
				? encodeCursor({ v: last.cursor_value, id: String(last.id) })
				: null
	};
}

/** Everything the contact page shows, or ContactNotFoundError. */
export async function detail(trx: Trx, orgId: string, contactId: string): Promise<ContactDetail> {
	const contact = await get(trx, orgId, contactId);
	const [fields, tags, segments, consent, sendable, events] = await Promise.all([
		listFields(trx, orgId),
		trx
			.selectFrom('contact_tags as ct')
			.innerJoin('tags as t', 't.id', 'ct.tag_id')
			.select(['t.id', 't.name', 't.color'])
			.where('ct.org_id', '=', orgId)
			.where('ct.contact_id', '=', contactId)
			.orderBy('t.name')
			.execute(),
		trx
			.selectFrom('segment_memberships as m')
			.innerJoin('segments as s', 's.id', 'm.segment_id')
			.select(['s.id', 's.name', 'm.entered_at'])
			.where('m.org_id', '=', orgId)
			.where('m.contact_id', '=', contactId)
			.orderBy('s.name')
			.execute(),
		trx
			.selectFrom('consent_records as r')
			.distinctOn('r.channel')
			.select(['r.channel', 'r.status', 'r.source', 'r.recorded_at'])
			.where('r.org_id', '=', orgId)
			.where('r.contact_id', '=', contactId)
			.orderBy('r.channel')
			.orderBy('r.recorded_at', 'desc')
			.orderBy('r.id', 'desc')
			.execute(),
		sql<Record<Channel, boolean>>`select ${sql.join(
			CHANNELS.map(
				(ch) =>
					sql`public.contact_can_send(${contactId}::uuid, ${ch}::public.consent_channel) as ${sql.ref(ch)}`
			)
		)}`.execute(trx),
		timeline(trx, orgId, contactId)
	]);
	return {
		contact,
		fields: fields.map((f) => ({ ...f, value: contact.custom[f.key] ?? null })),
		tags,
		segments: segments.map((s) => ({ id: s.id, name: s.name, enteredAt: iso(s.entered_at) })),
		consent: consent.map((r) => ({
			channel: r.channel,
			status: r.status,
			source: r.source,
			recordedAt: iso(r.recorded_at)
		})),
		canSend: sendable.rows[0]!,
		timeline: events
	};
}
