// The job behind supabase_functions.http_request() on the local platform
// (platform/sql/20-supabase-functions.sql): a database webhook defined the
// Supabase way posts its payload from here, with retries, where pg_net would
// fire once and forget. Network errors and 5xx answers throw, so
// graphile-worker retries the job with its exponential backoff; like Supabase,
// anything below 500 counts as delivered. The target is the project owner's
// choice (a trigger in a migration), so private addresses are allowed.
import { send } from '../outbound.ts';

export type HttpRequestJob = {
	url: string;
	method: 'GET' | 'POST';
	headers?: Record<string, string>;
	params?: Record<string, string>;
	timeout_ms?: number;
	body?: unknown;
};

export async function runDatabaseHook(job: HttpRequestJob): Promise<{ status: number }> {
	const url = new URL(job.url);
	for (const [k, v] of Object.entries(job.params ?? {})) url.searchParams.set(k, String(v));
	const body = job.method === 'POST' ? JSON.stringify(job.body ?? {}) : undefined;
	const headers = {
		...(body === undefined ? {} : { 'content-type': 'application/json' }),
		...job.headers
	};
	const response = await send({
		method: job.method,
		url: url.href,
		headers,
		body,
		// Supabase's default is 1 s for pg_net; a retried job can afford a little more.
		timeoutMs: Math.max(1000, job.timeout_ms ?? 5000),
		policy: { allowLoopback: true, allowPrivate: true }
	});
	if (response.status >= 500) {
		throw new Error(`${job.method} ${job.url} answered ${response.status}`);
	}
	return { status: response.status };
}
