// How contacts read on screen: a name for anyone, tones for statuses, numbers
// and event labels. Plain functions, shared by the pages and their tests.
import { eventCatalog, isEventType } from '$lib/events/catalog';

export type Named = {
	firstName: string | null;
	lastName: string | null;
	email: string | null;
	phone: string | null;
	erasedAt?: string | null;
};

/** "Ada Lovelace", else the email or phone, else a placeholder. */
export function contactName(c: Named): string {
	if (c.erasedAt) return 'Erased contact';
	const full = [c.firstName, c.lastName].filter(Boolean).join(' ').trim();
	return full || c.email || c.phone || 'Unnamed contact';
}

/** Badge tones (Badge.svelte) of the contact statuses. */
export const STATUS_TONES: Record<string, 'success' | 'neutral' | 'danger'> = {
	subscribed: 'success',
	unsubscribed: 'neutral',
	bounced: 'danger'
};

const numbers = new Intl.NumberFormat('en-US');

/** 1234567 → "1,234,567". */
export function formatCount(n: number): string {
	return numbers.format(n);
}

/** "1 contact", "2,000 contacts". */
export function plural(n: number, one: string, many = `${one}s`): string {
	return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** The list's total in words: "1,234 contacts", "about 1,000,000 contacts", "10,000+ contacts". */
export function totalLabel(total: { count: number; kind: 'exact' | 'about' | 'atLeast' }): string {
	if (total.kind === 'atLeast') return `${formatCount(total.count)}+ contacts`;
	return `${total.kind === 'about' ? 'about ' : ''}${plural(total.count, 'contact')}`;
}

/** The first few tags of a row and how many more: ["VIP", "Newsletter"], 3. */
export function firstTags(tags: string[], shown = 3): { shown: string[]; more: number } {
	return { shown: tags.slice(0, shown), more: Math.max(tags.length - shown, 0) };
}

/** Timeline entries that are not events: the emails automations sent. */
const TIMELINE_LABELS: Record<string, string> = { 'email.sent': 'Email sent' };

/** The source the unsubscribe link records on the consent it withdraws. */
const UNSUBSCRIBE_LINK_SOURCE = 'Unsubscribe link in an email';

/** An event type in words ("Tag added"), from the events catalog; unknown types as they are. */
export function eventLabel(type: string): string {
	return isEventType(type) ? eventCatalog[type].label : (TIMELINE_LABELS[type] ?? type);
}

/** The catalog's events about contacts, for the segment builder's event picker. */
export const CONTACT_EVENT_TYPES = Object.entries(eventCatalog)
	.filter(([, spec]) => spec.subject === 'contact')
	.map(([type, spec]) => ({ type, label: spec.label }));

/** A short detail of an event for the timeline ("VIP", "email: withdrawn"). */
export function eventDetail(type: string, payload: Record<string, unknown>): string | null {
	const text = (v: unknown) => (typeof v === 'string' ? v : null);
	switch (type) {
		case 'tag.added':
		case 'tag.removed':
			return text(payload.tag);
		case 'segment.entered':
		case 'segment.exited':
			return text(payload.segment);
		case 'consent.changed': {
			const change = [text(payload.channel), text(payload.status)].filter(Boolean).join(': ');
			if (change && payload.source === UNSUBSCRIBE_LINK_SOURCE) {
				return `${change}, with the unsubscribe link in an email`;
			}
			return change || null;
		}
		case 'email.sent':
			return text(payload.subject);
		case 'contact.created':
			return text(payload.source) && `from ${text(payload.source)}`;
		case 'contact.updated':
			return Array.isArray(payload.changed)
				? (payload.changed as unknown[]).filter((c) => typeof c === 'string').join(', ')
				: null;
		default:
			return null;
	}
}
