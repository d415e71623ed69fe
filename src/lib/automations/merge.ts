// Merge fields in email subjects and bodies, HTTP bodies and field values:
// `{{contact.first_name}}`, `{{contact.custom.plan}}`, `{{event.payload.tag}}`,
// `{{org.name}}`, with an optional fallback: `{{contact.first_name | "there"}}`.
// A missing value renders as the fallback, else as nothing.

export const MERGE_ROOTS = ['contact', 'event', 'org', 'run'] as const;

const FIELD = /\{\{\s*([A-Za-z0-9_.]+)\s*(?:\|\s*"((?:[^"\\]|\\.)*)"\s*)?\}\}/g;
const ANY_BRACES = /\{\{([^}]*)\}\}/g;

export type MergeData = Partial<Record<(typeof MERGE_ROOTS)[number], unknown>>;

function lookup(data: MergeData, path: string): unknown {
	let value: unknown = data;
	for (const key of path.split('.')) {
		if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) {
			return undefined;
		}
		value = (value as Record<string, unknown>)[key];
	}
	return value;
}

function asText(value: unknown): string {
	if (value === undefined || value === null) return '';
	if (Array.isArray(value)) return value.map(asText).join(', ');
	switch (typeof value) {
		case 'string':
			return value;
		case 'number':
		case 'boolean':
		case 'bigint':
			return value.toString();
		default:
			return JSON.stringify(value) ?? '';
	}
}

export function escapeHtml(text: string): string {
	return text
		.replaceAll('&', '&amp;')
		.replaceAll('<', '&lt;')
		.replaceAll('>', '&gt;')
		.replaceAll('"', '&quot;')
		.replaceAll("'", '&#39;');
}

export type RenderOptions = {
	/** How a substituted value is written: as is, HTML-escaped, inside a JSON string, or URL-encoded. */
	escape?: 'none' | 'html' | 'json' | 'url';
};

export function render(template: string, data: MergeData, opts: RenderOptions = {}): string {
	return template.replace(FIELD, (_whole, path: string, fallback: string | undefined) => {
		const found = asText(lookup(data, path));
		const value = found === '' ? (fallback?.replace(/\\(.)/g, '$1') ?? '') : found;
		if (opts.escape === 'html') return escapeHtml(value);
		if (opts.escape === 'json') return JSON.stringify(value).slice(1, -1);
		if (opts.escape === 'url') return encodeURIComponent(value);
		return value;
	});
}

/** The value of a path, unconverted (for comparisons), or undefined. */
export function valueAt(data: MergeData, path: string): unknown {
	return lookup(data, path);
}

/** Problems with the merge fields of a text: unknown roots and malformed braces. */
export function mergeProblems(template: string): string[] {
	const problems: string[] = [];
	for (const [whole, inner] of template.matchAll(ANY_BRACES)) {
		FIELD.lastIndex = 0;
		const field = new RegExp(FIELD.source).exec(whole);
		if (!field) {
			problems.push(`"${whole}" is not a merge field (use {{contact.first_name}}).`);
			continue;
		}
		const root = field[1]!.split('.')[0]!;
		if (!(MERGE_ROOTS as readonly string[]).includes(root)) {
			problems.push(
				`"{{${(inner ?? '').trim()}}}" starts with "${root}"; use one of ${MERGE_ROOTS.join(', ')}.`
			);
		}
	}
	return problems;
}

/** Custom field keys a text refers to (`contact.custom.<key>`). */
export function customFieldsIn(template: string): string[] {
	const keys = new Set<string>();
	for (const [, path] of template.matchAll(FIELD)) {
		const m = /^contact\.custom\.([a-z][a-z0-9_]*)/.exec(path!);
		if (m) keys.add(m[1]!);
	}
	return [...keys];
}

/** The roots (contact, event, org, run) the merge fields of some texts read. */
export function rootsIn(...templates: Array<string | undefined>): Set<string> {
	const roots = new Set<string>();
	for (const template of templates) {
		if (!template) continue;
		for (const [, path] of template.matchAll(FIELD)) roots.add(path!.split('.')[0]!);
	}
	return roots;
}
