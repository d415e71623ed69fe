// Which addresses outgoing requests (webhook deliveries, automation HTTP steps)
// may reach: loopback, private, link-local (cloud metadata) and other special
// addresses are refused unless configuration allows them. Shared by the app
// (checking a URL when it is saved) and the worker (checking the addresses a
// name resolves to when it connects; src/worker/outbound.ts).
//
//   OUTBOUND_ALLOW_LOOPBACK=1   allow 127.0.0.0/8 and ::1 (local development, tests)
//   OUTBOUND_ALLOW_PRIVATE=1    allow private, link-local and CGNAT ranges (self-hosted intranets)
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
