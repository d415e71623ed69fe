// How a full name splits into first and last name, shared by the import
// wizard (its preview of the first rows) and the worker (which splits every
// row in SQL, with the same words: src/lib/server/imports/pipeline.ts).

/**
 * Words that start a last name rather than end a first name: "Ludwig van
 * Beethoven" is Ludwig / van Beethoven, "Ana de la Cruz" Ana / de la Cruz.
 */
export const NAME_PARTICLES: readonly string[] = [
	'van',
	'von',
	'de',
	'der',
	'den',
	'del',
	'della',
	'di',
	'da',
	'du',
	'des',
	'la',
	'le',
	'ten',
	'ter',
	'zu',
	'dos',
	'das',
	'do',
	'bin',
	'ibn',
	'al',
	'el',
	'st',
	'st.'
];

const PARTICLES = new Set(NAME_PARTICLES);

/**
 * One word is a first name; otherwise the last word is the last name, with
 * the particles just before it, and the words before that the first name.
 * Never the first word: "Van Morrison" is Van / Morrison.
 */
export function splitFullName(value: string): { first: string | null; last: string | null } {
	const words = value.trim().split(/\s+/).filter(Boolean);
	if (words.length === 0) return { first: null, last: null };
	if (words.length === 1) return { first: words[0]!, last: null };
	let k = words.length - 1;
	while (k > 1 && PARTICLES.has(words[k - 1]!.toLowerCase())) k--;
	return { first: words.slice(0, k).join(' '), last: words.slice(k).join(' ') };
}
