import { jsonDepth, MAX_JSON_DEPTH } from '$lib/json-bounds';

/**
 * The rules a segment form posted, or null when they cannot be read. Rules nested
 * deeper than any stored document may be are unreadable too: the form would be sent
 * back with them and the page could not draw it.
 */
export function parseRules(text: string): unknown {
	let rules: unknown;
	try {
		rules = JSON.parse(text) as unknown;
	} catch {
		return null;
	}
	return jsonDepth(rules, MAX_JSON_DEPTH + 1) > MAX_JSON_DEPTH ? null : rules;
}
