// Data conditions in words. A check stores a data path the engine reads
// (`event.type`, `contact.tags`, `contact.custom.plan`, `event.payload.tag`;
// src/worker/automations/data.ts) and an operator key (`eq`, `exists`, …); the
// builder offers and shows them as "Event type", "Contact's tags", the custom
// field's label, "is", "is filled in", and values by name where they have one.
import type { Check } from '$lib/automations/definition';
import { eventCatalog, isEventType } from '$lib/events/catalog';
import { ROLE_LABELS } from '$lib/schemas/members';
import { STANDARD_LABELS } from '$lib/components/contacts/rules';

/** A value picker: the stored values and how they read; none means free text. */
export type ValueOption = { value: string; label: string };

export type PathChoice = {
	value: string;
	label: string;
	group: 'Contact' | 'Event';
	/** Values to pick from (a status, an event, a role…); left out, people type one. */
	options?: ValueOption[];
	/** Numbers compare as numbers ("more than"); lists offer "includes". */
	kind: 'text' | 'number' | 'list' | 'boolean' | 'date';
};

/** What the organization has, for labels and values by name. */
export type PathNames = {
	fields?: ReadonlyArray<{ key: string; label: string; type?: string; options?: string[] }>;
	statuses?: readonly string[];
};

const capitalized = (v: string) => v.charAt(0).toUpperCase() + v.slice(1);
const named = (values: readonly string[], labels: Record<string, string> = {}) =>
	values.map((v) => ({ value: v, label: labels[v] ?? capitalized(v) }));
const ROLES = named(Object.keys(ROLE_LABELS), ROLE_LABELS);
const YES_NO: ValueOption[] = [
	{ value: 'true', label: 'Yes' },
	{ value: 'false', label: 'No' }
];

/** The contact's fields the engine loads (ContactData), as a marketer names them. */
const CONTACT_PATHS: Array<[string, string, PathChoice['kind']]> = [
	['email', "Contact's email", 'text'],
	['first_name', "Contact's first name", 'text'],
	['last_name', "Contact's last name", 'text'],
	['phone', "Contact's phone", 'text'],
	['company', "Contact's company", 'text'],
	['status', "Contact's email status", 'text'],
	['tags', "Contact's tags", 'list']
];

/** What an event's payload key means, for the events that have it; ids are left out. */
const PAYLOAD: Record<
	string,
	{ label: string; kind: PathChoice['kind']; options?: ValueOption[] }
> = {
	tag: { label: 'Tag name', kind: 'text' },
	segment: { label: 'Segment name', kind: 'text' },
	channel: {
		label: 'Consent channel',
		kind: 'text',
		options: named(['email', 'sms', 'whatsapp'], { sms: 'SMS', whatsapp: 'WhatsApp' })
	},
	status: { label: 'Consent now', kind: 'text', options: named(['granted', 'withdrawn']) },
	source: { label: 'Where it came from', kind: 'text' },
	role: { label: 'Role', kind: 'text', options: ROLES },
	from: { label: 'Previous role', kind: 'text', options: ROLES },
	to: { label: 'New role', kind: 'text', options: ROLES },
	email: { label: 'Invited email', kind: 'text' },
	changed: { label: 'Fields that changed', kind: 'list' },
	inserted: { label: 'Contacts added', kind: 'number' },
	updated: { label: 'Contacts updated', kind: 'number' },
	created: { label: 'New contact', kind: 'boolean', options: YES_NO }
};

/** A payload key's meaning; own keys only (a path may say `constructor`). */
const payloadSpec = (key: string) => (Object.hasOwn(PAYLOAD, key) ? PAYLOAD[key] : undefined);

const fieldKind = (type: string | undefined): PathChoice['kind'] =>
	type === 'number'
		? 'number'
		: type === 'boolean'
			? 'boolean'
			: type === 'multi_select'
				? 'list'
				: type === 'date'
					? 'date'
					: 'text';

/** Every path a data check can read for this trigger's event (null: no event starts the runs). */
export function pathChoices(event: string | null, names: PathNames = {}): PathChoice[] {
	const statuses = names.statuses ?? ['subscribed', 'unsubscribed', 'bounced'];
	const contact: PathChoice[] = CONTACT_PATHS.map(([key, label, kind]) => ({
		value: `contact.${key}`,
		label,
		group: 'Contact',
		kind,
		...(key === 'status' ? { options: named(statuses) } : {})
	}));
	for (const f of names.fields ?? []) {
		const kind = fieldKind(f.type);
		contact.push({
			value: `contact.custom.${f.key}`,
			label: f.label,
			group: 'Contact',
			kind,
			...(f.options?.length
				? { options: f.options.map((o) => ({ value: o, label: o })) }
				: kind === 'boolean'
					? { options: YES_NO }
					: {})
		});
	}
	if (event === null) return contact;
	const events: PathChoice[] = [
		{
			value: 'event.type',
			label: 'Event type',
			group: 'Event',
			kind: 'text',
			options: Object.entries(eventCatalog).map(([value, spec]) => ({ value, label: spec.label }))
		}
	];
	if (isEventType(event)) {
		const keys = Object.keys(
			(eventCatalog[event].payload as unknown as { shape?: object }).shape ?? {}
		);
		for (const key of keys) {
			const p = payloadSpec(key);
			if (p) events.push({ value: `event.payload.${key}`, group: 'Event', ...p });
		}
	}
	return [...events, ...contact];
}

/** A path in words, also one no picker offers (written around the builder). */
export function pathLabel(path: string, names: PathNames = {}): string {
	const known = pathChoices('', names).find((c) => c.value === path);
	if (known) return known.label;
	const custom = /^contact\.custom\.(.+)$/.exec(path);
	if (custom) return names.fields?.find((f) => f.key === custom[1])?.label ?? 'A deleted field';
	const payload = /^event\.payload\.([A-Za-z0-9_]+)$/.exec(path);
	const spec = payloadSpec(payload?.[1] ?? '');
	if (spec) return spec.label;
	const data = /^event\.payload\.data\.(.+)$/.exec(path);
	if (data) return `Webhook data "${data[1]!.replaceAll('.', ' › ')}"`;
	const standard = /^contact\.([a-z_]+)$/.exec(path)?.[1] ?? '';
	if (Object.hasOwn(STANDARD_LABELS, standard)) {
		return `Contact's ${STANDARD_LABELS[standard]!.toLowerCase()}`;
	}
	const [root, ...rest] = path.split('.');
	const what = rest
		.filter((p) => p !== 'payload')
		.join(' ')
		.replaceAll('_', ' ');
	return `${root === 'contact' ? "Contact's" : root === 'run' ? "Run's" : "Event's"} ${what}`;
}

export const OPERATOR_WORDS: Record<Check['op'], string> = {
	eq: 'is',
	neq: 'is not',
	gt: 'is more than',
	gte: 'is at least',
	lt: 'is less than',
	lte: 'is at most',
	contains: 'contains',
	exists: 'is filled in'
};

/** The operators that make sense for a kind of value, in words. */
export function operatorChoices(kind: PathChoice['kind']): { value: Check['op']; label: string }[] {
	const ops: Check['op'][] =
		kind === 'number' || kind === 'date'
			? ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'exists']
			: kind === 'list'
				? ['contains', 'exists']
				: kind === 'boolean'
					? ['eq', 'neq', 'exists']
					: ['eq', 'neq', 'contains', 'exists'];
	return ops.map((op) => ({
		value: op,
		label: op === 'contains' && kind === 'list' ? 'includes' : OPERATOR_WORDS[op]
	}));
}

/** The choice for a path (what it offers), including one no picker lists. */
export function choiceFor(path: string, event: string | null, names: PathNames = {}): PathChoice {
	const found = pathChoices(event ?? '', names).find((c) => c.value === path);
	if (found) return found;
	// A payload key of another event than the trigger's (or a path typed around the builder).
	const payload = payloadSpec(/^event\.payload\.([A-Za-z0-9_]+)$/.exec(path)?.[1] ?? '');
	if (payload) return { value: path, group: 'Event', ...payload };
	return {
		value: path,
		label: pathLabel(path, names),
		group: path.startsWith('contact.') ? 'Contact' : 'Event',
		kind: 'text'
	};
}

/** A typed or picked value as the engine compares it: numbers as numbers, yes/no as booleans. */
export function valueFor(kind: PathChoice['kind'], text: string): string | number | boolean {
	if (kind === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
	if (kind === 'number' && text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
	return text;
}

/** A check as a sentence: `Contact's tags includes "VIP"`, `Event type is Tag added`. */
export function checkPhrase(check: Check, names: PathNames = {}): string {
	const choice = choiceFor(check.path, '', names);
	const op =
		check.op === 'contains' && choice.kind === 'list' ? 'includes' : OPERATOR_WORDS[check.op];
	if (check.op === 'exists') return `${choice.label} ${op}`;
	const raw = check.value === undefined || check.value === null ? '' : String(check.value);
	const option = choice.options?.find((o) => o.value === raw);
	const value = option ? option.label : choice.kind === 'number' ? raw : `"${raw}"`;
	return `${choice.label} ${op} ${value}`;
}
