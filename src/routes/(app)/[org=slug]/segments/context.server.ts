/** The rules posted by the builder (JSON text), or null when they are not JSON. */
export function parseRules(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return null;
	}
}
