// The address (slug) suggested for a new organization's name. Names in any script
// get one: Latin letters lose their accents, other scripts are transliterated
// ("北京咖啡" → "beijingkafei", "Кофейня" → "kofeynya"), and a name with nothing
// left to spell (emoji, symbols) gets a short, stable "org-…" address.
import { slugify } from '$lib/schemas/orgs';

/** A stable 6-character tag of `text` (FNV-1a), for names that leave no letters. */
function tag(text: string): string {
	let hash = 0x811c9dc5;
	for (const char of text) {
		hash ^= char.codePointAt(0)!;
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}
	return hash.toString(36).padStart(6, '0').slice(-6);
}

const NON_ASCII = /[^ -~\t\n\r]/;

/**
 * The slug for `name`. The transliteration table (half a megabyte) is loaded only
 * when the name needs it.
 */
export async function suggestSlug(name: string): Promise<string> {
	let slug = slugify(name);
	if (NON_ASCII.test(name)) {
		const { default: anyAscii } = await import('any-ascii');
		slug = slugify(anyAscii(name));
	}
	if (slug.length >= 2) return slug;
	return name.trim() ? `org-${tag(name.trim())}` : '';
}
