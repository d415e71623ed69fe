// Outgoing HTTP for webhook deliveries and automation HTTP steps, with the
// targets an organization must not reach refused: loopback, private, link-local
// (cloud metadata) and other special addresses, unless configuration allows
// them. The check applies to the addresses a name resolves to at connect time
// (so DNS rebinding cannot slip past it) and redirects are never followed.
//
//   OUTBOUND_ALLOW_LOOPBACK=1   allow 127.0.0.0/8 and ::1 (local development, tests)
//   OUTBOUND_ALLOW_PRIVATE=1    allow private, link-local and CGNAT ranges (self-hosted intranets)
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import {
	addressProblem,
	OutboundRefused,
	outboundPolicyFromEnv,
	urlProblem,
	type OutboundPolicy
} from '../lib/webhooks/targets.ts';

export { addressProblem, OutboundRefused, outboundPolicyFromEnv, urlProblem };
export type { OutboundPolicy };

export type OutboundRequest = {
	method: string;
	url: string;
	headers?: Record<string, string>;
	body?: string;
	timeoutMs: number;
	policy: OutboundPolicy;
	/** Keep at most this much of the response body (characters). */
	maxBody?: number;
};

export type OutboundResponse = { status: number; body: string; latencyMs: number };

/** One request; resolves with any HTTP status, rejects on refusal, network errors and timeouts. */
export function send(req: OutboundRequest): Promise<OutboundResponse> {
	const url = new URL(req.url);
	const host = url.hostname.replace(/^\[|\]$/g, '');
	if (isIP(host)) {
		const problem = addressProblem(host, req.policy);
		if (problem) return Promise.reject(new OutboundRefused(`refused: ${problem}`));
	}
	const lookup = (
		hostname: string,
		options: { family?: number | string },
		callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void
	) => {
		dnsLookup(hostname, { all: true, family: Number(options.family) || 0 }, (error, addresses) => {
			if (error) return callback(error, []);
			for (const a of addresses) {
				const problem = addressProblem(a.address, req.policy);
				if (problem) return callback(new OutboundRefused(`refused: ${hostname} → ${problem}`), []);
			}
			const [first] = addresses;
			if (!first) return callback(new Error(`${hostname} has no address`), []);
			callback(null, first.address, first.family);
		});
	};
	const maxBody = req.maxBody ?? 2000;
	const started = performance.now();
	const transport = url.protocol === 'https:' ? https : http;
	return new Promise((resolve, reject) => {
		const request = transport.request(
			url,
			{
				method: req.method,
				headers: {
					...(req.body === undefined ? {} : { 'content-length': Buffer.byteLength(req.body) }),
					...req.headers
				},
				lookup,
				signal: AbortSignal.timeout(req.timeoutMs)
			},
			(response) => {
				let body = '';
				response.setEncoding('utf8');
				response.on('data', (chunk: string) => {
					if (body.length < maxBody) body += chunk;
				});
				response.on('end', () =>
					resolve({
						status: response.statusCode ?? 0,
						body: body.slice(0, maxBody),
						latencyMs: Math.round(performance.now() - started)
					})
				);
				response.on('error', reject);
			}
		);
		request.on('error', (error: Error) => {
			reject(
				error.name === 'AbortError' || error.name === 'TimeoutError'
					? new Error(`timed out after ${req.timeoutMs} ms`)
					: error
			);
		});
		if (req.body !== undefined) request.write(req.body);
		request.end();
	});
}
