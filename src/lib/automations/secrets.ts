// Saved secrets in HTTP step headers. Definitions are read by every member of
// an organization, viewers included, so an API key never sits in one: it is
// saved once (public.automation_secrets, whose value no member can read back)
// and a header refers to it, `Authorization: Bearer {{secret:crm_key}}`. The
// worker puts the value in at send time. The database refuses any other
// header value (private.automation_header_problem, the same rules as here).

import { z } from 'zod';

/** Names a secret may have: letters, digits, `_` and `-`. */
export const SECRET_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** A secret as people save it: the name steps refer to ({{secret:NAME}}) and its value. */
export const secretInputSchema = z.object({
	name: z
		.string()
		.trim()
		.min(1, 'Name the secret, e.g. crm_key.')
		.regex(SECRET_NAME, 'Use up to 64 letters, digits, _ or - (no spaces), e.g. crm_key.'),
	value: z
		.string()
		.min(1, 'Paste the value to keep.')
		.max(2000, 'Use at most 2,000 characters.')
		.refine((v) => v.trim() !== '', 'Paste the value to keep.')
});
export type SecretInput = z.input<typeof secretInputSchema>;

/** A whole header value that is a secret reference, optionally after an auth scheme. */
const SECRET_VALUE = /^((?:Bearer|Basic|Token) )?\{\{secret:([A-Za-z0-9_-]{1,64})\}\}$/;

/** Headers that never carry a secret; they may hold any text. */
export const PLAIN_HEADERS: ReadonlySet<string> = new Set([
	'accept',
	'accept-language',
	'content-language',
	'content-type',
	'idempotency-key',
	'user-agent'
]);

export function secretReference(name: string, scheme?: 'Bearer' | 'Basic' | 'Token'): string {
	return `${scheme ? `${scheme} ` : ''}{{secret:${name}}}`;
}

/** The secret a header value refers to, or null when it is not a reference. */
export function secretIn(value: string): string | null {
	return SECRET_VALUE.exec(value)?.[2] ?? null;
}

/** Why a header may not have this value, or null. */
export function headerProblem(name: string, value: string): string | null {
	if (PLAIN_HEADERS.has(name.toLowerCase()) || secretIn(value) !== null) return null;
	return `the header "${name}" may only use a saved secret (it could hold an API key, which everyone in the workspace can see otherwise).`;
}

/** The value with its secret reference replaced by the secret's value. */
export function fillSecret(value: string, secrets: ReadonlyMap<string, string>): string {
	const m = SECRET_VALUE.exec(value);
	if (!m) return value;
	const secret = secrets.get(m[2]!);
	if (secret === undefined) throw new Error(`The saved secret "${m[2]}" does not exist.`);
	return `${m[1] ?? ''}${secret}`;
}
