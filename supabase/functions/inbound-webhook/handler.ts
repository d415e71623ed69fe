// The inbound webhook: POST /functions/v1/inbound-webhook/<endpoint id> with a
// JSON body signed with the endpoint's secret (X-Growthdesk-Signature). It
// creates or updates the contact by email, adds the tags it names, and records
// webhook.received — the event behind the "incoming webhook" automation
// trigger; the contact events fire too. Refusals get a 4xx with a reason and
// are logged on the endpoint (inbound_webhook_requests).
//
//   { "email": "ada@example.com", "first_name": "Ada", "custom": { "plan": "pro" },
//     "tags": ["VIP"], "data": { "order": 1042 } }
import { z } from 'npm:zod@^4';
import { SIGNATURE_HEADER, verify } from '../_shared/signature.ts';

export const MAX_BODY_BYTES = 256 * 1024;

const text = (max: number) => z.string().trim().min(1).max(max);

export const bodySchema = z
	.object({
		email: z.string().trim().toLowerCase().max(254).pipe(z.email()),
		first_name: text(100).optional(),
		last_name: text(100).optional(),
		phone: z
			.string()
			.trim()
			.regex(/^\+?[0-9 ().-]{5,25}$/, 'Not a phone number.')
			.optional(),
		company: text(200).optional(),
		custom: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,39}$/), z.unknown()).optional(),
		tags: z.array(text(50)).max(20).optional(),
		data: z.record(z.string().max(100), z.unknown()).optional()
	})
	.strict();
export type InboundBody = z.infer<typeof bodySchema>;

export type Received = {
	request_id: number;
	contact_id: string;
	created: boolean;
	event_id: number;
};

/** Where endpoints live and what accepting a request writes (Postgres in production: store.ts). */
export type Store = {
	/** The signing secret of an enabled endpoint, or null. */
	secret(endpointId: string): Promise<string | null>;
	refused(endpointId: string, status: number, error: string): Promise<void>;
	receive(endpointId: string, body: InboundBody): Promise<Received>;
};

/** A database refusal of the values (a custom field of the wrong type, …): the sender's fault. */
export class RejectedValue extends Error {
	override readonly name = 'RejectedValue';
	/** The body's field at fault when the database names it (`custom.score`). */
	readonly field: string | undefined;
	constructor(message: string, field?: string) {
		super(message);
		this.field = field;
	}
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function json(body: unknown, status: number): Response {
	return new Response(JSON.stringify(body), {
		status,
		headers: { 'content-type': 'application/json' }
	});
}

export function createHandler(deps: { store: Store; now?: () => Date }) {
	const now = deps.now ?? (() => new Date());
	return async (req: Request): Promise<Response> => {
		const segments = new URL(req.url).pathname.split('/').filter(Boolean);
		// Path as the function sees it: /inbound-webhook/<endpoint id>
		const endpointId = segments[1];
		if (segments.length !== 2 || !endpointId || !UUID.test(endpointId)) {
			return json({ error: 'not_found', message: 'Use /inbound-webhook/<endpoint id>.' }, 404);
		}
		if (req.method !== 'POST') {
			return json({ error: 'method_not_allowed', message: 'Send a POST.' }, 405);
		}
		const declared = Number(req.headers.get('content-length') ?? '0');
		if (declared > MAX_BODY_BYTES) {
			return json(
				{ error: 'too_large', message: `Bodies are at most ${MAX_BODY_BYTES} bytes.` },
				413
			);
		}
		const raw = await req.text();
		if (new TextEncoder().encode(raw).length > MAX_BODY_BYTES) {
			return json(
				{ error: 'too_large', message: `Bodies are at most ${MAX_BODY_BYTES} bytes.` },
				413
			);
		}

		const secret = await deps.store.secret(endpointId);
		if (!secret)
			return json({ error: 'not_found', message: 'No such endpoint, or it is disabled.' }, 404);

		const refuse = async (status: number, error: string, message: string, extra = {}) => {
			await deps.store.refused(endpointId, status, message);
			return json({ error, message, ...extra }, status);
		};

		const signature = await verify(secret, req.headers.get(SIGNATURE_HEADER), raw, now());
		if (!signature.ok)
			return refuse(401, 'invalid_signature', `Signature refused: ${signature.reason}.`);

		let parsed: unknown;
		try {
			parsed = JSON.parse(raw);
		} catch {
			return refuse(400, 'malformed_body', 'The body is not JSON.');
		}
		const body = bodySchema.safeParse(parsed);
		if (!body.success) {
			const issues = body.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
			return refuse(
				422,
				'invalid_body',
				issues.map((i) => `${i.path || 'body'}: ${i.message}`).join('; '),
				{ issues }
			);
		}
		try {
			const received = await deps.store.receive(endpointId, body.data);
			return json(received, 200);
		} catch (error) {
			if (error instanceof RejectedValue) {
				const issues = [{ path: error.field ?? '', message: error.message }];
				return refuse(422, 'invalid_body', error.message, { issues });
			}
			console.error(`inbound-webhook ${endpointId}: ${(error as Error).message}`);
			return json(
				{ error: 'internal', message: 'The request could not be processed; retry later.' },
				500
			);
		}
	};
}
