// In-memory rate limits, per client IP and endpoint, like GoTrue's per-IP limiters: a sliding
// window of the last N requests. Memory stays bounded: old entries are dropped as keys are
// touched, and idle keys are swept now and then.
import { tooManyRequests } from './errors.ts';

export type RateLimiter = {
	/** Counts one request; throws 429 over_request_rate_limit when the window is full. */
	hit(bucket: string, ip: string, limit: number, windowSeconds: number): void;
	/** Counts one email against the instance-wide hourly cap (null = no cap). */
	email(limitPerHour: number | null): void;
};

const SWEEP_EVERY = 1000;

export function createRateLimiter(now: () => Date): RateLimiter {
	const windows = new Map<string, number[]>();
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
	}

	return {
		hit(bucket, ip, limit, windowSeconds) {
			if (!take(`${bucket}|${ip}`, limit, windowSeconds * 1000)) {
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
