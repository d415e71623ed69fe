// How large an upload the server takes. Under adapter-node, request bodies are
// capped by BODY_SIZE_LIMIT (512K unless set; "Infinity" lifts it), so the
// wizard says so before sending a file that would be cut off mid-way.

/** The limit in bytes for a BODY_SIZE_LIMIT value (as adapter-node reads it), or null for none. */
export function uploadLimit(value: string | undefined, dev: boolean): number | null {
	if (dev) return null;
	const raw = (value ?? '512K').trim();
	const multiplier = { K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[raw.at(-1)?.toUpperCase() ?? ''];
	const bytes = multiplier ? Number(raw.slice(0, -1)) * multiplier : Number(raw);
	return Number.isFinite(bytes) && bytes > 0 ? bytes : null;
}
