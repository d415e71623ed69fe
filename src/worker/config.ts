// The worker's settings, from the environment (read once, here).
//
//   WORKER_DATABASE_URL / DATABASE_URL   a session-mode connection (LISTEN, advisory locks)
//   WORKER_CONCURRENCY                  jobs at once per process (default 8)
//   WORKER_POLL_INTERVAL_MS             how often future jobs are looked for (default 1000)
//   WORKER_LEASE_SECONDS                a silent worker's jobs are taken over after this (default 30)
//   SMTP_URL, MAIL_FROM                  the mailer of send-email and notify steps
//   APP_URL (or ORIGIN), UNSUBSCRIBE_SECRET   unsubscribe links in marketing email (the app's
//                                       URL, and the secret the app verifies the links with)
//   TRACKING_SECRET                     campaign email's open pixel and click redirects (shared with the app)
//   SEND_BATCH (100), SEND_LANES (2), SEND_SMTP_CONNECTIONS (5)   campaign sending: recipients per
//                                       claim, claim loops and pooled SMTP connections per process
//   SEND_LEASE_SECONDS (60)             a claimed recipient is claimed again after this when its worker died
//   SEND_RETRY_BASE_MS (30000), SEND_MAX_ATTEMPTS (8)   backoff after a temporary refusal (doubling)
//   TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, TWILIO_WHATSAPP_FROM, TWILIO_API_URL
//                                       SMS/WhatsApp campaigns (Twilio's API, or the platform's stand-in)
//   SUPABASE_URL (or PUBLIC_SUPABASE_URL), SUPABASE_SERVICE_ROLE_KEY   invoke-function steps
//   OUTBOUND_ALLOW_LOOPBACK, OUTBOUND_ALLOW_PRIVATE                    see outbound.ts
//   WEBHOOK_MAX_ATTEMPTS (8), WEBHOOK_BACKOFF_MS (30000), WEBHOOK_TIMEOUT_MS (10000)
//   AUTOMATION_RETRY_BACKOFF_SECONDS (30), AUTOMATION_MAX_ATTEMPTS (3)  defaults for steps
//   AUTOMATION_DISPATCH_BATCH (50)      events' dispatch jobs one transaction may take in under load
import { outboundPolicyFromEnv, type OutboundPolicy } from './outbound.ts';
import { twilioConfigFromEnv, type TwilioConfig } from '../lib/server/messaging/twilio.ts';

export type WorkerSettings = {
	connectionString: string;
	concurrency: number;
	pollInterval: number;
	leaseSeconds: number;
	smtpUrl: string | null;
	mailFrom: string;
	functionsUrl: string | null;
	functionsKey: string | null;
	outbound: OutboundPolicy;
	webhooks: { maxAttempts: number; backoffMs: number; timeoutMs: number };
	retry: { maxAttempts: number; backoffSeconds: number };
	dispatchBatch: number;
	appUrl: string | null;
	unsubscribeSecret: string | null;
	/** TRACKING_SECRET: campaign email carries signed open pixels and click redirects; null: untracked. */
	trackingSecret: string | null;
	/** The SMS/WhatsApp provider (TWILIO_*); null: text campaigns wait for a worker that has one. */
	twilio: TwilioConfig | null;
	sending: {
		batch: number;
		lanes: number;
		connections: number;
		leaseSeconds: number;
		retryBaseMs: number;
		maxAttempts: number;
	};
};

function num(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
	const raw = env[name];
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!Number.isFinite(value) || value < min) {
		throw new Error(`${name} must be a number ≥ ${min}, got "${raw}"`);
	}
	return value;
}

export function workerSettings(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
	const connectionString = env.WORKER_DATABASE_URL ?? env.DATABASE_URL;
	if (!connectionString) throw new Error('worker: set WORKER_DATABASE_URL (or DATABASE_URL)');
	const supabaseUrl = env.SUPABASE_URL ?? env.PUBLIC_SUPABASE_URL ?? null;
	return {
		connectionString,
		concurrency: num(env, 'WORKER_CONCURRENCY', 8, 1),
		pollInterval: num(env, 'WORKER_POLL_INTERVAL_MS', 1000, 10),
		leaseSeconds: num(env, 'WORKER_LEASE_SECONDS', 30, 1),
		smtpUrl: env.SMTP_URL ?? null,
		mailFrom: env.MAIL_FROM ?? 'Growthdesk <no-reply@growthdesk.test>',
		functionsUrl: supabaseUrl ? `${supabaseUrl.replace(/\/$/, '')}/functions/v1` : null,
		functionsKey: env.SUPABASE_SERVICE_ROLE_KEY ?? null,
		outbound: outboundPolicyFromEnv(env),
		webhooks: {
			maxAttempts: num(env, 'WEBHOOK_MAX_ATTEMPTS', 8, 1),
			backoffMs: num(env, 'WEBHOOK_BACKOFF_MS', 30_000, 1),
			timeoutMs: num(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100)
		},
		retry: {
			maxAttempts: num(env, 'AUTOMATION_MAX_ATTEMPTS', 3, 1),
			backoffSeconds: num(env, 'AUTOMATION_RETRY_BACKOFF_SECONDS', 30, 0)
		},
		dispatchBatch: num(env, 'AUTOMATION_DISPATCH_BATCH', 50, 1),
		appUrl: env.APP_URL ?? env.ORIGIN ?? null,
		unsubscribeSecret: env.UNSUBSCRIBE_SECRET ?? null,
		trackingSecret: env.TRACKING_SECRET ?? null,
		twilio: twilioConfigFromEnv(env),
		sending: {
			batch: num(env, 'SEND_BATCH', 100, 1),
			lanes: num(env, 'SEND_LANES', 2, 1),
			connections: num(env, 'SEND_SMTP_CONNECTIONS', 5, 1),
			leaseSeconds: num(env, 'SEND_LEASE_SECONDS', 60, 1),
			retryBaseMs: num(env, 'SEND_RETRY_BASE_MS', 30_000, 0),
			maxAttempts: num(env, 'SEND_MAX_ATTEMPTS', 8, 1)
		}
	};
}
