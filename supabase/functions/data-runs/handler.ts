// The data-runs webhook: POST /functions/v1/data-runs with a JSON body signed
// with DATA_RUNS_WEBHOOK_SECRET (X-Growthdesk-Signature, the same HMAC and
// five-minute window as the inbound webhook). A provider (a scraper or data
// API; locally the platform's stand-in, platform/dataprovider) sends one
// delivery per status change, and its results in deliveries of at most
// MAX_ITEMS profiles (the same status may arrive again with the next page).
//
//   { "provider": "apify", "run_id": "HG7ML7M8z78YcAPEB", "task_id": "scrape-fr",
//     "status": "SUCCEEDED", "started_at": "…", "finished_at": "…", "message": "…",
//     "results_count": 120, "org_id": null, "metadata": {…},
//     "items": [{ "platform": "instagram", "external_id": "…", "handle": "…", "followers": 1200, … }] }
//
// The database checks each item and the status machine (private.data_run_receive);
// a status going backwards is answered 409 and logged on the run.
import { z } from 'npm:zod@^4';
import { SIGNATURE_HEADER, verify } from '../_shared/signature.ts';

export const MAX_BODY_BYTES = 16 * 1024 * 1024;
export const MAX_ITEMS = 20_000;

const STATUSES = [
	'created',
	'ready',
	'running',
	'succeeded',
	'failed',
	'timed_out',
	'aborted'
] as const;

const timestamp = z.iso.datetime({ offset: true });

export const bodySchema = z
	.object({
		provider: z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'Use lowercase letters, digits, - or _.'),
		run_id: z.string().min(1).max(200),
		task_id: z.string().min(1).max(200).optional(),
		// Apify writes SUCCEEDED and TIMED-OUT; both spellings are read.
		status: z
			.string()
			.transform((s) => s.trim().toLowerCase().replace(/-/g, '_'))
			.pipe(z.enum(STATUSES)),
		started_at: timestamp.optional(),
		finished_at: timestamp.optional(),
		message: z.string().max(2000).optional(),
		results_count: z.number().int().min(0).max(2_000_000_000).optional(),
		org_id: z.uuid().nullable().optional(),
		metadata: z.record(z.string().max(100), z.unknown()).optional(),
		items: z.array(z.unknown()).max(MAX_ITEMS).optional()
	})
	.strict();
export type RunDelivery = z.infer<typeof bodySchema>;

export type Outcome = {
	run_id: string;
	status: string;
	refused: string | null;
	profiles_created: number;
	profiles_updated: number;
	items_rejected: number;
};

/** Where deliveries go (Postgres in production: store.ts). */
export type Store = {
	receive(delivery: RunDelivery): Promise<Outcome>;
	/** Logs a refused delivery on the run it names, when that run exists. */
	refused(provider: string, runId: string, message: string): Promise<void>;
};

/** A database refusal of the values (an unknown organization, …): the sender's fault. */
export class RejectedValue extends Error {
	override readonly name = 'RejectedValue';
	readonly field: string | undefined;
	constructor(message: string, field?: string) {
		super(message);
		this.field = field;
	}
}

function json(body: unknown, status: number): Response {
	return new Response(JSON.stringify(body), {
		status,
		headers: { 'content-type': 'application/json' }
	});
}

/** provider and run_id of a body that could not be trusted or read, to log the refusal on. */
function namedRun(raw: string): { provider: string; runId: string } | null {
	try {
		const body = JSON.parse(raw) as { provider?: unknown; run_id?: unknown };
		return typeof body.provider === 'string' && typeof body.run_id === 'string'
			? { provider: body.provider.slice(0, 40), runId: body.run_id.slice(0, 200) }
			: null;
	} catch {
		return null;
	}
}

export function createHandler(deps: {
	store: Store;
	secret: string | undefined;
	now?: () => Date;
}) {
	const now = deps.now ?? (() => new Date());
	return async (req: Request): Promise<Response> => {
		const segments = new URL(req.url).pathname.split('/').filter(Boolean);
		if (segments.length !== 1) {
			return json({ error: 'not_found', message: 'Post deliveries to /data-runs.' }, 404);
		}
		if (req.method !== 'POST')
			return json({ error: 'method_not_allowed', message: 'Send a POST.' }, 405);
		if (!deps.secret) {
			return json(
				{ error: 'not_configured', message: 'DATA_RUNS_WEBHOOK_SECRET is not set.' },
				503
			);
		}
		const declared = Number(req.headers.get('content-length') ?? '0');
		const raw = declared > MAX_BODY_BYTES ? '' : await req.text();
		if (declared > MAX_BODY_BYTES || new TextEncoder().encode(raw).length > MAX_BODY_BYTES) {
			return json(
				{
					error: 'too_large',
					message: `Bodies are at most ${MAX_BODY_BYTES} bytes; send results in pages.`
				},
				413
			);
		}

		const signature = await verify(deps.secret, req.headers.get(SIGNATURE_HEADER), raw, now());
		if (!signature.ok) {
			const message = `A delivery was refused: signature ${signature.reason}.`;
			const named = namedRun(raw);
			if (named) await deps.store.refused(named.provider, named.runId, message);
			return json({ error: 'invalid_signature', message }, 401);
		}

		let parsed: unknown;
		try {
			parsed = JSON.parse(raw);
		} catch {
			return json({ error: 'malformed_body', message: 'The body is not JSON.' }, 400);
		}
		const body = bodySchema.safeParse(parsed);
		if (!body.success) {
			const issues = body.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
			const message = issues.map((i) => `${i.path || 'body'}: ${i.message}`).join('; ');
			const named = namedRun(raw);
			if (named)
				await deps.store.refused(
					named.provider,
					named.runId,
					`A delivery was refused: ${message}`.slice(0, 2000)
				);
			return json({ error: 'invalid_body', message, issues }, 422);
		}
		try {
			const outcome = await deps.store.receive(body.data);
			if (outcome.refused) {
				return json({ error: 'status_backwards', message: outcome.refused, run: outcome }, 409);
			}
			return json(outcome, 200);
		} catch (error) {
			if (error instanceof RejectedValue) {
				return json(
					{
						error: 'invalid_body',
						message: error.message,
						issues: [{ path: error.field ?? '', message: error.message }]
					},
					422
				);
			}
			console.error(
				`data-runs ${body.data.provider}/${body.data.run_id}: ${(error as Error).message}`
			);
			return json(
				{ error: 'internal', message: 'The delivery could not be processed; retry later.' },
				500
			);
		}
	};
}
