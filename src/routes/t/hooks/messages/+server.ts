// The bounce and complaint webhook (see $lib/server/tracking/webhook.ts for
// the signature and the body). Unsigned, badly signed or stale requests are a
// 401, a body that does not parse a 400 naming the field; nothing is written
// unless every report in it is well formed.
import { json } from '@sveltejs/kit';
import * as tracking from '$lib/server/tracking';
import { webhookSecret } from '$lib/server/tracking/secrets';
import type { RequestHandler } from './$types';

const WHY: Record<tracking.SignatureProblem, string> = {
	missing: `The ${tracking.SIGNATURE_HEADER} header is missing.`,
	malformed: `The ${tracking.SIGNATURE_HEADER} header is not t=<seconds>,v1=<hex>.`,
	expired: 'The signature is more than five minutes old (or in the future).',
	mismatch: 'The signature does not match the body.'
};

export const POST: RequestHandler = async ({ request, locals }) => {
	const secret = webhookSecret();
	if (!secret) return json({ message: 'This webhook is not configured.' }, { status: 404 });
	const length = Number(request.headers.get('content-length') ?? 0);
	if (length > tracking.MAX_BODY_BYTES) {
		return json({ message: 'The body is too large.' }, { status: 413 });
	}
	const raw = await request.text();
	if (raw.length > tracking.MAX_BODY_BYTES) {
		return json({ message: 'The body is too large.' }, { status: 413 });
	}
	const problem = tracking.signatureProblem(
		secret,
		request.headers.get(tracking.SIGNATURE_HEADER),
		raw
	);
	if (problem) return json({ message: WHY[problem] }, { status: 401 });
	let body: unknown;
	try {
		body = JSON.parse(raw);
	} catch {
		return json({ message: 'The body is not JSON.', field: 'body' }, { status: 400 });
	}
	const parsed = tracking.parseReports(body);
	if (!parsed.ok) {
		return json({ message: parsed.message, field: parsed.field }, { status: 400 });
	}
	const reports = parsed.reports;
	const outcomes = await locals.db(async (trx) => {
		const out: tracking.ProviderReportOutcome[] = [];
		for (const r of reports) {
			out.push(await tracking.providerReport(trx, r.message_id, r.type, r.reason ?? null));
		}
		return out;
	});
	return json({
		recorded: outcomes.filter((o) => o === 'recorded').length,
		duplicates: outcomes.filter((o) => o === 'duplicate').length,
		unknown: outcomes.filter((o) => o === 'unknown').length
	});
};
