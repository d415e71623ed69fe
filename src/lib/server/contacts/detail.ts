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
	/** An event type ("tag.added"), or "email.sent" for an automation's email. */
	type: string;
	occurredAt: string;
	actorId: string | null;
	payload: Record<string, unknown>;
	/** The automation that sent an email (its name links to it). */
	automation: { id: string; name: string } | null;
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

/**
 * What happened to a contact, newest first, keyset-paged: its events, and the
 * emails automations sent it. Those are not events (their subject line may hold
 * personal data, which event payloads never do): the send-email step runs are
 * their record, read here through the run's contact. Once the contact is erased
 * an email shows without its subject, like the emptied events.
 */
export async function timeline(
	trx: Trx,
	orgId: string,
	contactId: string,
	options: { before?: string; limit?: number } = {}
): Promise<ContactDetail['timeline']> {
	const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
	// Ties on the time are broken by source, then id: (time, kind, id) descending.
	let after = sql<boolean>`true`;
	if (options.before) {
		const { v, id, k } = decodeCursor(options.before);
		after = sql<boolean>`(t.occurred_at, t.kind, t.id) < (${v}::timestamptz, ${k ?? 'event'}::text, ${id}::bigint)`;
	}
	const { rows } = await sql<{
		kind: 'event' | 'email';
		id: string;
		type: string;
		occurred_at: string | Date;
		cursor_value: string;
		actor_id: string | null;
		payload: Record<string, unknown>;
		automation_id: string | null;
		automation_name: string | null;
	}>`
		select t.kind, t.id::text as id, t.type, t.occurred_at, t.occurred_at::text as cursor_value,
		       t.actor_id, t.payload, t.automation_id, t.automation_name
		  from (
		    (select 'event'::text as kind, e.id, e.type, e.occurred_at, e.actor_id, e.payload,
		            null::uuid as automation_id, null::text as automation_name
		       from public.events e
		      where e.org_id = ${orgId} and e.subject_type = 'contact' and e.subject_id = ${contactId})
		    union all
		    (select 'email'::text, s.id, 'email.sent', s.finished_at, null::uuid,
		            case when c.erased_at is null
		                 then jsonb_build_object('subject', s.input->>'subject')
		                 else '{}'::jsonb end,
		            a.id, a.name
		       from public.automation_runs r
		       join public.automation_step_runs s on s.org_id = r.org_id and s.run_id = r.id
		       join public.automations a on a.org_id = r.org_id and a.id = r.automation_id
		       join public.contacts c on c.org_id = r.org_id and c.id = r.subject_id
		      where r.org_id = ${orgId} and r.subject_type = 'contact' and r.subject_id = ${contactId}
		        and s.step_type = 'send_email' and s.status = 'succeeded' and s.finished_at is not null)
		  ) t
		 where ${after}
		 order by t.occurred_at desc, t.kind desc, t.id desc
		 limit ${limit + 1}`.execute(trx);
	const page = rows.slice(0, limit);
	const last = page.at(-1);
	return {
		items: page.map((r) => ({
			id: `${r.kind === 'email' ? 'email-' : ''}${r.id}`,
			type: r.type,
			occurredAt: iso(r.occurred_at),
			actorId: r.actor_id,
			payload: r.payload,
			automation:
				r.automation_id && r.automation_name
					? { id: r.automation_id, name: r.automation_name }
					: null
		})),
		nextCursor:
			rows.length > limit && last
				? encodeCursor({
						v: last.cursor_value,
						id: last.id,
						...(last.kind === 'email' ? { k: 'email' as const } : {})
					})
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
