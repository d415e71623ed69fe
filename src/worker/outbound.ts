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
import { BlockList, isIP } from 'node:net';

export type OutboundPolicy = { allowLoopback: boolean; allowPrivate: boolean };

export function outboundPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): OutboundPolicy {
	const on = (v: string | undefined) => v === '1' || v === 'true';
	return {
		allowLoopback: on(env.OUTBOUND_ALLOW_LOOPBACK),
		allowPrivate: on(env.OUTBOUND_ALLOW_PRIVATE)
	};
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

const privateRanges = new BlockList();
for (const [net, prefix] of [
	['10.0.0.0', 8],
	['172.16.0.0', 12],
	['192.168.0.0', 16],
	['100.64.0.0', 10],
	['169.254.0.0', 16]
] as const) {
	privateRanges.addSubnet(net, prefix, 'ipv4');
}
privateRanges.addSubnet('fc00::', 7, 'ipv6');
privateRanges.addSubnet('fe80::', 10, 'ipv6');

/** Never reachable, whatever the configuration: unspecified, multicast, reserved, broadcast. */
const special = new BlockList();
for (const [net, prefix] of [
	['0.0.0.0', 8],
	['224.0.0.0', 4],
	['240.0.0.0', 4]
] as const) {
	special.addSubnet(net, prefix, 'ipv4');
}
special.addAddress('::', 'ipv6');
special.addSubnet('ff00::', 8, 'ipv6');

export class OutboundRefused extends Error {
	override readonly name = 'OutboundRefused';
}

/** Why an address may not be reached under the policy, or null. */
export function addressProblem(address: string, policy: OutboundPolicy): string | null {
	let ip = address;
	let family = isIP(ip);
	// IPv4-mapped IPv6 (::ffff:10.0.0.1) is the IPv4 address.
	const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
	if (mapped) {
		ip = mapped[1]!;
		family = 4;
	}
	if (family === 0) return `"${address}" is not an IP address`;
	const type = family === 4 ? 'ipv4' : 'ipv6';
	if (special.check(ip, type)) return `${address} is not a routable address`;
	if (loopback.check(ip, type) && !policy.allowLoopback) {
		return `${address} is a loopback address`;
	}
	if (privateRanges.check(ip, type) && !policy.allowPrivate) {
		return `${address} is a private or link-local address`;
	}
	return null;
}

/** Why a URL may not be a target (checked when saving it; addresses are checked again on connect). */
export function urlProblem(url: string, policy: OutboundPolicy): string | null {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return 'is not a URL';
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must be http or https';
	if (parsed.username || parsed.password) return 'must not contain credentials';
	const host = parsed.hostname.replace(/^\[|\]$/g, '');
	if (isIP(host)) return addressProblem(host, policy);
	if (/^localhost$|\.localhost$/i.test(host) && !policy.allowLoopback) return 'is a loopback host';
	return null;
}

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
