// Merge tags: `{{contact.first_name | there}}` puts the contact's first name,
// or "there" when they have none. What a tag may name:
//   contact.<email | first_name | last_name | full_name | company | phone>
//   custom.<key>      a custom field of the organization (checked when saved)
//   org.name          the organization's name
//   unsubscribe_url   the person's unsubscribe link (filled in by the sender)
// Anything else between {{ and }} is an error at the block it is in, never a
// blank in someone's inbox.

export const CONTACT_TAGS = [
	'email',
	'first_name',
	'last_name',
	'full_name',
	'company',
	'phone'
] as const;
export const SYSTEM_TAGS = ['org.name', 'unsubscribe_url'] as const;

/** A tag as written: its name, its fallback ('' when none) and where it sits in the string. */
export type MergeTag = { name: string; fallback: string; start: number; end: number };

const TAG = /\{\{([^{}]*)\}\}/g;
const NAME = /^[a-z_]+(\.[a-z][a-z0-9_]{0,39})?$/;

/** A problem with a tag as written (its text, and why). */
export type TagProblem = { text: string; message: string };

/**
 * The tags in a string, in order. Text between `{{` and `}}` that is not a
 * well-formed tag is reported as a problem; so is a `{{` left open.
 */
export function parseTags(s: string): { tags: MergeTag[]; problems: TagProblem[] } {
	const tags: MergeTag[] = [];
	const problems: TagProblem[] = [];
	for (const m of s.matchAll(TAG)) {
		const inner = m[1]!;
		const bar = inner.indexOf('|');
		const name = (bar < 0 ? inner : inner.slice(0, bar)).trim();
		const fallback = bar < 0 ? '' : inner.slice(bar + 1).trim();
		if (!NAME.test(name)) {
			problems.push({ text: m[0], message: `"${m[0].slice(0, 60)}" is not a merge tag.` });
			continue;
		}
		tags.push({ name, fallback, start: m.index, end: m.index + m[0].length });
	}
	const rest = s.replace(TAG, '');
	if (rest.includes('{{') || rest.includes('}}'))
		problems.push({
			text: '{{',
			message: 'A merge tag is not closed: write it as {{contact.first_name}}.'
		});
	return { tags, problems };
}

/** Whether a tag names something the organization has (custom field keys given). */
export function knownTag(name: string, customKeys: ReadonlySet<string>): boolean {
	if ((SYSTEM_TAGS as readonly string[]).includes(name)) return true;
	const [scope, key] = name.split('.', 2);
	if (scope === 'contact') return (CONTACT_TAGS as readonly string[]).includes(key ?? '');
	if (scope === 'custom') return key !== undefined && customKeys.has(key);
	return false;
}

/** The reason a tag is refused, in words (null when it is known). */
export function tagProblem(name: string, customKeys: ReadonlySet<string>): string | null {
	if (knownTag(name, customKeys)) return null;
	const [scope, key] = name.split('.', 2);
	if (scope === 'custom') return `There is no custom field "${key ?? ''}" in this organization.`;
	if (scope === 'contact')
		return `Contacts have no "${key ?? ''}" (use ${CONTACT_TAGS.join(', ')}).`;
	return `"{{${name}}}" is not a merge tag this organization has.`;
}

/** The values a message is personalized with. */
export type MergeVars = {
	contact?: Partial<Record<(typeof CONTACT_TAGS)[number], string | null | undefined>>;
	custom?: Record<string, unknown>;
	org?: { name?: string | null };
	unsubscribe_url?: string | null;
};

/** A custom value as text (lists joined, booleans in words, nothing for null). */
function asText(value: unknown): string {
	if (value === null || value === undefined) return '';
	if (Array.isArray(value)) return value.map(asText).filter(Boolean).join(', ');
	if (typeof value === 'boolean') return value ? 'yes' : 'no';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'bigint') return value.toString();
	return '';
}

/** The value of a tag for one person, or '' when they have none (the fallback is the caller's). */
export function lookup(vars: MergeVars, name: string): string {
	if (name === 'unsubscribe_url') return vars.unsubscribe_url ?? '';
	if (name === 'org.name') return vars.org?.name ?? '';
	const [scope, key = ''] = name.split('.', 2);
	if (scope === 'contact') {
		const c = vars.contact ?? {};
		if (key === 'full_name')
			return c.full_name ?? [c.first_name, c.last_name].filter(Boolean).join(' ');
		return (c as Record<string, string | null | undefined>)[key] ?? '';
	}
	if (scope === 'custom') return asText(vars.custom?.[key]);
	return '';
}

/** The tags a marketer can insert, with a label, for the editor's inserter. */
export function insertableTags(
	fields: ReadonlyArray<{ key: string; label: string }>
): { tag: string; label: string }[] {
	const contact: Record<(typeof CONTACT_TAGS)[number], string> = {
		first_name: 'First name',
		last_name: 'Last name',
		full_name: 'Full name',
		email: 'Email address',
		company: 'Company',
		phone: 'Phone'
	};
	return [
		...CONTACT_TAGS.map((k) => ({ tag: `contact.${k}`, label: contact[k] })),
		...fields.map((f) => ({ tag: `custom.${f.key}`, label: f.label })),
		{ tag: 'org.name', label: 'Organization name' },
		{ tag: 'unsubscribe_url', label: 'Unsubscribe link' }
	];
}
