// Recent activity in words a marketer reads: "Ada imported 1,200 contacts",
// "Sam joined the team". From the events that stand for a whole change
// (one index range per type, newest first) and, for those allowed to read it
// (admins), the audit log; membership changes come from the events only, so
// nothing is said twice.
import { sql } from 'kysely';
import * as audit from '../audit/index.ts';
import type { Trx } from '../db/rls.ts';

export type Activity = {
	id: string;
	at: string;
	/** Who did it (or who it happened to), as a name; null when nobody is known. */
	who: string | null;
	/** The rest of the sentence, after the name. */
	what: string;
	/** Where to look, when there is a page for it. */
	link: { kind: 'import'; id: string } | null;
};

/** Event types worth a line on the home page (the per-contact ones are not). */
const EVENT_TYPES = [
	'contacts.imported',
	'contact.erased',
	'member.joined',
	'member.left',
	'member.role_changed'
] as const;

const ROLE_WORDS: Record<string, string> = {
	owner: 'an owner',
	admin: 'an admin',
	member: 'a member',
	viewer: 'a viewer'
};

const numbers = new Intl.NumberFormat('en-US');
const contacts = (n: number) => `${numbers.format(n)} ${n === 1 ? 'contact' : 'contacts'}`;

type Payload = Record<string, unknown>;
const num = (v: unknown) => (typeof v === 'number' ? v : 0);
const str = (v: unknown) => (typeof v === 'string' ? v : null);
const asRow = (v: unknown): Payload | null =>
	typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Payload) : null;

function describeEvent(type: string, payload: Payload): string {
	switch (type) {
		case 'contacts.imported': {
			const inserted = num(payload.inserted);
			const updated = num(payload.updated);
			if (inserted && updated)
				return `imported ${contacts(inserted)} and updated ${numbers.format(updated)}`;
			return updated && !inserted
				? `updated ${contacts(updated)} from an import`
				: `imported ${contacts(inserted)}`;
		}
		case 'contact.erased':
			return "erased a contact's personal data";
		case 'member.joined':
			return `joined the team as ${ROLE_WORDS[str(payload.role) ?? ''] ?? 'a member'}`;
		case 'member.left':
			return 'left the team';
		case 'member.role_changed':
			return `is now ${ROLE_WORDS[str(payload.to) ?? ''] ?? 'in another role'}`;
		default:
			return 'did something';
	}
}

/** An audit entry as the rest of a sentence ("changed the branding"). */
export function describeAudit(entry: {
	action: string;
	targetType: string;
	before: unknown;
	after: unknown;
}): string {
	const [table, op] = entry.action.split('.') as [string, string | undefined];
	const row = asRow(entry.after) ?? asRow(entry.before) ?? {};
	const name = str(row.name);
	switch (table) {
		case 'organizations':
			return op === 'insert' ? 'created the organization' : "changed the organization's details";
		case 'invitations': {
			const email = str(row.email) ?? 'someone';
			if (op === 'insert') return `invited ${email}`;
			if (asRow(entry.after)?.revoked_at && !asRow(entry.before)?.revoked_at)
				return `withdrew the invitation of ${email}`;
			return op === 'delete'
				? `deleted the invitation of ${email}`
				: `resent an invitation to ${email}`;
		}
		case 'roles': {
			const what = name ? `the role “${name}”` : 'a custom role';
			return op === 'insert'
				? `created ${what}`
				: op === 'update'
					? `changed ${what}`
					: `deleted ${what}`;
		}
		case 'role_permissions':
			return "changed a custom role's permissions";
		case 'branding_settings':
			return 'changed the branding';
		default: {
			// Modules that log later say it their own way; until then a plain sentence.
			const thing = (entry.targetType || table).replace(/_/g, ' ').replace(/s$/, '');
			const verb = op === 'insert' ? 'created' : op === 'delete' ? 'deleted' : 'changed';
			return name ? `${verb} the ${thing} “${name}”` : `${verb} a ${thing}`;
		}
	}
}

export async function recentActivity(trx: Trx, orgId: string, limit = 8): Promise<Activity[]> {
	const { rows } = await sql<{
		id: string;
		type: string;
		payload: Payload;
		occurred_at: Date;
		subject_id: string | null;
		actor: string | null;
		subject: string | null;
	}>`
		select e.id::text as id, e.type, e.payload, e.occurred_at, e.subject_id,
		       coalesce(nullif(btrim(a.full_name), ''), a.email) as actor,
		       coalesce(nullif(btrim(s.full_name), ''), s.email) as subject
		  from unnest(${sql.val([...EVENT_TYPES])}::text[]) t (type)
		 cross join lateral (
		   select x.id, x.type, x.payload, x.occurred_at, x.subject_type, x.subject_id, x.actor_id
		     from public.events x
		    where x.org_id = ${orgId} and x.type = t.type
		    order by x.occurred_at desc
		    limit ${limit}) e
		  -- An import's event is written by the worker: the person is who started it.
		  left join public.contact_imports i on e.type = 'contacts.imported' and i.id = e.subject_id
		  left join public.profiles a on a.id = coalesce(e.actor_id, i.created_by)
		  left join public.profiles s on e.subject_type = 'member' and s.id = e.subject_id
		 order by e.occurred_at desc
		 limit ${limit}`.execute(trx);
	const items: Activity[] = rows.map((r) => ({
		id: `event-${r.id}`,
		at: new Date(r.occurred_at).toISOString(),
		who: r.type.startsWith('member.') ? (r.subject ?? 'A former member') : r.actor,
		what: describeEvent(r.type, r.payload),
		link:
			r.type === 'contacts.imported' && r.subject_id ? { kind: 'import', id: r.subject_id } : null
	}));
	// Empty unless the reader may see the log (RLS: admins and owners).
	const { entries } = await audit.list(trx, orgId, { limit });
	for (const entry of entries) {
		// Imports and erasures already have their event line above.
		if (
			entry.targetType === 'members' ||
			entry.targetType === 'contact_imports' ||
			entry.action === 'contact.erased'
		)
			continue;
		items.push({
			id: `audit-${entry.id}`,
			at: new Date(entry.at).toISOString(),
			who: entry.actorName,
			what: describeAudit(entry),
			link: null
		});
	}
	return items.sort((a, b) => b.at.localeCompare(a.at)).slice(0, limit);
}
