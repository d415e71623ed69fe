// JSON people can write around the app's forms, straight through the API (a
// segment's rules, an automation's draft, an import's settings), reaches code
// that recurses: zod's schemas, JSON.stringify, SvelteKit's serializer, Svelte
// components. A value nested thousands deep overflows the stack in all of
// them, so its depth is measured first, by a loop, before anything else reads
// it. The database bounds the same columns (private.jsonb_depth_within).
import { z } from 'zod';

/** The deepest the database lets these documents nest (its check constraints). */
export const MAX_JSON_DEPTH = 32;

/**
 * How deep a JSON value nests: 0 for a scalar, 1 for `{}` or `[]`, 2 for
 * `{"a":[]}`. Stops as soon as it passes `limit` (and returns limit + 1).
 */
export function jsonDepth(value: unknown, limit = Number.POSITIVE_INFINITY): number {
	let deepest = 0;
	const pending: Array<[unknown, number]> = [[value, 0]];
	while (pending.length > 0) {
		const [node, above] = pending.pop()!;
		if (node === null || typeof node !== 'object') continue;
		const depth = above + 1;
		if (depth > deepest) {
			deepest = depth;
			if (deepest > limit) return deepest;
		}
		for (const child of Array.isArray(node) ? node : Object.values(node))
			pending.push([child, depth]);
	}
	return deepest;
}

/**
 * `schema`, after a check that the value nests at most `maxDepth` deep; a
 * deeper value gets `message` (and `schema` never sees it).
 */
export function shallow<T extends z.ZodType>(
	schema: T,
	message: string,
	maxDepth: number = MAX_JSON_DEPTH
) {
	return z
		.unknown()
		.superRefine((value, ctx) => {
			if (jsonDepth(value, maxDepth) > maxDepth) ctx.addIssue({ code: 'custom', message });
		})
		.pipe(schema);
}
