// What a run record may show of an outgoing request. Step runs
// (automation_step_runs.input) are readable by every member of the organization,
// viewers included, while header values, URL parameters and body fields of an HTTP
// step carry API keys, tokens and signing secrets. The request itself is sent with
// the real values; only the record shows them hidden.

export const REDACTED = '[hidden]';

/** Headers that never carry a secret and help to read a run (set by the engine or plain). */
const SHOWN_HEADERS = new Set([
	'accept',
	'accept-language',
	'content-language',
	'content-type',
	'idempotency-key',
	'user-agent'
]);

/** Names of URL parameters and body fields that hold credentials. */
const SECRET_NAME =
	/(auth|token|secret|passw|pwd|api[-_]?key|apikey|access[-_]?key|private[-_]?key|signature|^sig$|session|cookie|credential|bearer|jwt|otp|client[-_]?id|^key$|_key$|-key$)/i;

export function isSecretName(name: string): boolean {
	return SECRET_NAME.test(name);
}

/** Header names kept; every value hidden except those of SHOWN_HEADERS. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
	return Object.fromEntries(
		Object.entries(headers).map(([name, value]) => [
			name,
			SHOWN_HEADERS.has(name.toLowerCase()) ? value : REDACTED
		])
	);
}

/** `a=1&token=x` with the values of secret-named parameters hidden (encoding kept). */
function redactParams(query: string): string {
	return query
		.split('&')
		.map((pair) => {
			const at = pair.indexOf('=');
			if (at < 0) return pair;
			let name = pair.slice(0, at);
			try {
				name = decodeURIComponent(name.replace(/\+/g, ' '));
			} catch {
				// An undecodable name is judged as written.
			}
			return isSecretName(name) ? `${pair.slice(0, at)}=${REDACTED}` : pair;
		})
		.join('&');
}

/** The URL without user:password and with secret-named query parameters hidden. */
export function redactUrl(url: string): string {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return REDACTED;
	}
	const credentials = parsed.username || parsed.password;
	const query = parsed.search ? `?${redactParams(parsed.search.slice(1))}` : '';
	const auth = credentials ? `${REDACTED}@` : '';
	return `${parsed.protocol}//${auth}${parsed.host}${parsed.pathname}${query}${parsed.hash}`;
}

function redactJson(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(redactJson);
	if (value && typeof value === 'object')
		return Object.fromEntries(
			Object.entries(value).map(([k, v]) => [k, isSecretName(k) ? REDACTED : redactJson(v)])
		);
	return value;
}

/** A JSON body with secret-named fields hidden (at any depth); a form body likewise. */
export function redactBody(body: string): string {
	try {
		return JSON.stringify(redactJson(JSON.parse(body)));
	} catch {
		return /^[^\s=&]+=[^\s]*$/.test(body) ? redactParams(body) : body;
	}
}
