// The campaign sender's SMTP transport: one nodemailer pool per worker
// process (connections are reused across messages, as providers expect), and
// how a provider's answer is read: accepted, refused for now (try again
// later, never counted as sent) or refused for good.
import nodemailer, { type Transporter } from 'nodemailer';

export function createPooledTransport(smtpUrl: string, maxConnections: number): Transporter {
	const url = new URL(smtpUrl);
	const secure = url.protocol === 'smtps:';
	return nodemailer.createTransport({
		pool: true,
		maxConnections,
		maxMessages: Infinity,
		host: url.hostname,
		port: Number(url.port || (secure ? 465 : 587)),
		secure,
		auth: url.username
			? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
			: undefined,
		// A local sink offers no TLS; a real relay negotiates STARTTLS when offered.
		ignoreTLS: false
	});
}

export type Refusal = { temporary: boolean; reason: string };

const TEMPORARY_CODES = new Set([
	'ECONNECTION',
	'ETIMEDOUT',
	'ESOCKET',
	'EDNS',
	'ECONNRESET',
	'ECONNREFUSED',
	'EPROTOCOL'
]);

/**
 * What a send error means. SMTP 4xx (421 service not available, 450/451/452
 * try later) and HTTP 429 are temporary, as are lost connections (nothing was
 * accepted: the reply never came). 5xx is final.
 */
export function classify(error: unknown): Refusal {
	const e = error as {
		responseCode?: number;
		statusCode?: number;
		code?: string;
		message?: string;
	};
	const reason = (e.message ?? String(error)).slice(0, 500);
	const status = e.responseCode ?? e.statusCode;
	if (typeof status === 'number') {
		if (status === 429 || (status >= 400 && status < 500 && e.responseCode !== undefined)) {
			return { temporary: true, reason };
		}
		return { temporary: status >= 500 && e.responseCode === undefined, reason };
	}
	return { temporary: TEMPORARY_CODES.has(e.code ?? ''), reason };
}
