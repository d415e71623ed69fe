// In-memory rate limits, per client IP and endpoint, like GoTrue's per-IP limiters. Most are a
// sliding window of the last N requests; /token is GoTrue's token bucket (tollbooth): it
// starts full with `burst` requests and refills at a steady rate. Memory stays bounded: old
// entries are dropped as keys are touched, and idle keys are swept now and then.
import { tooManyRequests } from './errors.ts';

export type RateLimiter = {
	/** Counts one request; throws 429 over_request_rate_limit when the window is full. */
	hit(bucket: string, ip: string, limit: number, windowSeconds: number): void;
	/**
	 * Takes one request from the address's token bucket (`burst` at most, refilled at
	 * `perSecond`); throws 429 over_request_rate_limit when it is empty.
	 */
	take(bucket: string, ip: string, perSecond: number, burst: number): void;
	/** Counts one email against the instance-wide hourly cap (null = no cap). */
	email(limitPerHour: number | null): void;
};

const SWEEP_EVERY = 1000;

export function createRateLimiter(now: () => Date): RateLimiter {
	const windows = new Map<string, number[]>();
	const buckets = new Map<string, { tokens: number; at: number }>();
	let hits = 0;

	function take(key: string, limit: number, windowMs: number): boolean {
		const at = now().getTime();
		const recent = (windows.get(key) ?? []).filter((t) => t > at - windowMs);
		if (++hits % SWEEP_EVERY === 0) sweep(at, windowMs);
		if (recent.length >= limit) {
			windows.set(key, recent);
			return false;
		}
		recent.push(at);
		windows.set(key, recent);
		return true;
	}

	function sweep(at: number, windowMs: number) {
		for (const [key, times] of windows) {
			// Longest window is an hour; anything idle for longer can go.
			if ((times.at(-1) ?? 0) < at - Math.max(windowMs, 3_600_000)) windows.delete(key);
		}
		// A bucket idle for an hour is full again (GoTrue's limiters expire keys after an hour).
		for (const [key, bucket] of buckets) if (bucket.at < at - 3_600_000) buckets.delete(key);
	}

	function takeToken(key: string, perSecond: number, burst: number): boolean {
		const at = now().getTime();
		if (++hits % SWEEP_EVERY === 0) sweep(at, 0);
		const bucket = buckets.get(key) ?? { tokens: burst, at };
		const refilled = Math.min(
			burst,
			bucket.tokens + (Math.max(0, at - bucket.at) / 1000) * perSecond
		);
		if (refilled < 1) {
			buckets.set(key, { tokens: refilled, at });
			return false;
		}
		buckets.set(key, { tokens: refilled - 1, at });
		return true;
	}

	return {
		hit(bucket, ip, limit, windowSeconds) {
			if (!take(`${bucket}|${ip}`, limit, windowSeconds * 1000)) {
				throw tooManyRequests('over_request_rate_limit', 'Request rate limit reached');
			}
		},
		take(bucket, ip, perSecond, burst) {
			if (!takeToken(`${bucket}|${ip}`, perSecond, burst)) {
				throw tooManyRequests('over_request_rate_limit', 'Request rate limit reached');
			}
		},
		email(limitPerHour) {
			if (limitPerHour === null) return;
			if (!take('email-sent', limitPerHour, 3_600_000)) {
				throw tooManyRequests('over_email_send_rate_limit', 'email rate limit exceeded');
			}
		}
	};
}
