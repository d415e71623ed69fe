// The editor posts its whole state as one JSON field (`payload`): the block
// document does not fit form fields. Read with a size bound before parsing;
// anything malformed is a 400 naming the field.
import { z } from 'zod';
import { saveInput } from '$lib/server/templates';

export const MAX_PAYLOAD = 400_000;

const payload = saveInput.extend({ contactId: z.uuid().nullable().default(null) });
export type Payload = z.output<typeof payload>;

export type PayloadProblem = { field: string; message: string };

export async function readPayload(
	request: Request
): Promise<{ ok: true; data: Payload } | { ok: false; problem: PayloadProblem }> {
	const form = await request.formData();
	const raw = form.get('payload');
	if (typeof raw !== 'string' || raw.length === 0)
		return { ok: false, problem: { field: 'payload', message: 'Nothing was sent to save.' } };
	if (raw.length > MAX_PAYLOAD)
		return { ok: false, problem: { field: 'document', message: 'This template is too large.' } };
	let json: unknown;
	try {
		json = JSON.parse(raw);
	} catch {
		return { ok: false, problem: { field: 'payload', message: 'The template could not be read.' } };
	}
	const parsed = payload.safeParse(json);
	if (!parsed.success) {
		const issue = parsed.error.issues[0]!;
		return {
			ok: false,
			problem: { field: String(issue.path[0] ?? 'payload'), message: issue.message }
		};
	}
	return { ok: true, data: parsed.data };
}
