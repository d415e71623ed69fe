// What a run's steps can read: its contact, the event that started it, the
// organization and the run itself. Loaded lazily, once per slice, and used by
// merge fields ({{contact.first_name}}) and data conditions.
import { sql } from 'kysely';
import type { Check } from '../../lib/automations/definition.ts';
import { valueAt, type MergeData } from '../../lib/automations/merge.ts';
import type { Conn } from '../db.ts';
import type { RunState } from './state.ts';

export type ContactData = {
	id: string;
	email: string | null;
	first_name: string | null;
	last_name: string | null;
	phone: string | null;
	company: string | null;
	status: string;
	custom: Record<string, unknown>;
	/** Tag names, for checks like "Contact's tags includes VIP" and {{contact.tags}}. */
	tags: string[];
	erased: boolean;
};

/** The event that started a run, as the dispatcher already has it. */
export type EventData = {
	type: string;
	payload: Record<string, unknown>;
	occurred_at: string | null;
};

export type RunData = {
	contact(): Promise<ContactData | null>;
	/** Merge data with the given roots loaded (all four when left out); others are absent. */
	merge(roots?: Iterable<string>): Promise<MergeData>;
	/** Forget the contact (after a step changed it). */
	invalidate(): void;
};

export function runData(trx: Conn, run: RunState, known?: EventData): RunData {
	let contact: Promise<ContactData | null> | undefined;
	let event: Promise<EventData | null> | undefined = known ? Promise.resolve(known) : undefined;
	let org: Promise<{ name: string }> | undefined;
	const loadContact = async (): Promise<ContactData | null> => {
		if (run.subjectType !== 'contact' || !run.subjectId) return null;
		const { rows } = await sql<ContactData>`
			select c.id, c.email::text as email, c.first_name, c.last_name, c.phone, c.company,
			       c.status::text as status, c.custom, c.erased_at is not null as erased,
			       array(select t.name::text
			               from public.contact_tags ct
			               join public.tags t on t.org_id = ct.org_id and t.id = ct.tag_id
			              where ct.org_id = c.org_id and ct.contact_id = c.id
			              order by 1) as tags
			  from public.contacts c where c.org_id = ${run.orgId} and c.id = ${run.subjectId}`.execute(trx);
		return rows[0] ?? null;
	};
	const loadEvent = async (): Promise<EventData | null> => {
		if (!run.triggerEventId) return null;
		const { rows } = await sql<EventData>`
			select type, payload, occurred_at::text as occurred_at
			  from public.events where id = ${run.triggerEventId}::bigint`.execute(trx);
		return rows[0] ?? null;
	};
	const loadOrg = async () => {
		const { rows } = await sql<{ name: string }>`
			select name from public.organizations where id = ${run.orgId}`.execute(trx);
		return rows[0] ?? { name: '' };
	};
	return {
		contact: () => (contact ??= loadContact()),
		async merge(roots = ['contact', 'event', 'org', 'run']) {
			const wanted = new Set(roots);
			const data: MergeData = {};
			if (wanted.has('contact')) {
				const c = await (contact ??= loadContact());
				if (c && !c.erased) data.contact = c;
			}
			if (wanted.has('event')) data.event = (await (event ??= loadEvent())) ?? { ...run.context };
			if (wanted.has('org')) data.org = await (org ??= loadOrg());
			if (wanted.has('run')) {
				data.run = { id: run.id, automation_id: run.automationId, subject_id: run.subjectId };
			}
			return data;
		},
		invalidate: () => {
			contact = undefined;
		}
	};
}

function compare(actual: unknown, op: Check['op'], expected: unknown): boolean {
	if (op === 'exists') return actual !== undefined && actual !== null && actual !== '';
	if (op === 'contains') {
		// Tag names compare as the database does (citext): case aside.
		if (Array.isArray(actual)) {
			return actual.some((v) => String(v).toLowerCase() === String(expected).toLowerCase());
		}
		return (
			typeof actual === 'string' && actual.toLowerCase().includes(String(expected).toLowerCase())
		);
	}
	if (op === 'eq' || op === 'neq') {
		const equal =
			typeof actual === 'string' && typeof expected === 'string'
				? actual.toLowerCase() === expected.toLowerCase()
				: actual === expected || (actual ?? null) === (expected ?? null);
		return op === 'eq' ? equal : !equal;
	}
	const a = typeof actual === 'string' && !Number.isNaN(Number(actual)) ? Number(actual) : actual;
	const b =
		typeof expected === 'string' && !Number.isNaN(Number(expected)) ? Number(expected) : expected;
	if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) return false;
	const x = a;
	const y = b as number | string;
	switch (op) {
		case 'gt':
			return x > y;
		case 'gte':
			return x >= y;
		case 'lt':
			return x < y;
		case 'lte':
			return x <= y;
	}
}

export function evaluateChecks(data: MergeData, match: 'all' | 'any', checks: Check[]): boolean {
	const results = checks.map((c) => compare(valueAt(data, c.path), c.op, c.value));
	return match === 'all' ? results.every(Boolean) : results.some(Boolean);
}
