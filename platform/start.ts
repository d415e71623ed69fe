// Starts the local stand-in for a Supabase project: Postgres with the platform
// objects and migrations, the API gateway (Auth, Storage and edge functions) and the dev
// mailbox and the SMS/WhatsApp stand-in. Used by `npm run dev` and the E2E stack.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startApi } from './api.ts';
import { createFunctionsRuntime, type FunctionsRuntime } from './functions/index.ts';
import { readAuthSettings } from './auth/index.ts';
import { bootstrap } from './bootstrap.ts';
import { loadDemo } from './demo.ts';
import { loadOrCreateKeys, type PlatformKeys } from './keys.ts';
import { startMailbox } from './mailbox/index.ts';
import { standInCredentials, startMessaging } from './messaging/index.ts';
import { standInSecret, startDataProvider } from './dataprovider/index.ts';
import { readStorageFileSizeLimit } from './storage/settings.ts';
import { migrate } from './migrate.ts';
import { startPostgres } from './postgres.ts';
import { installQueue } from '../src/worker/queue.ts';

/** Fixed ports (dev: Supabase's), or 0 for any free port (E2E): the env says which it got. */
export type PlatformPorts = {
	db: number;
	api: number;
	mailbox: number;
	smtp: number;
	/** The SMS/WhatsApp stand-in's page and Twilio-shaped API (default: any free port). */
	messaging?: number;
	/** The data provider stand-in's page and API (default: any free port). */
	dataProvider?: number;
};

export type PlatformOptions = {
	/** Everything the platform keeps: Postgres data, keys, mail. */
	dataDir: string;
	ports: PlatformPorts;
	/** Where the app runs: the default redirect target of Auth emails. */
	siteUrl: string;
	/** Load the demo workspace (platform/demo.ts) into a new database. */
	demo?: boolean;
	/** Crash-unsafe Postgres settings for throwaway stacks (E2E). */
	ephemeral?: boolean;
	/**
	 * Where the app server calls Auth from: Auth believes X-Forwarded-For (the visitor's
	 * address, for per-address rate limits and session records) only from these addresses.
	 */
	trustedProxies: string[];
	onLog?: (line: string) => void;
};

/** What the app needs to talk to this platform, exactly as it would to Supabase. */
export type AppEnv = {
	PUBLIC_SUPABASE_URL: string;
	PUBLIC_SUPABASE_ANON_KEY: string;
	SUPABASE_SERVICE_ROLE_KEY: string;
	DATABASE_URL: string;
	SMTP_URL: string;
	/** The SMS/WhatsApp provider (Twilio's API; locally the stand-in). */
	TWILIO_API_URL: string;
	TWILIO_ACCOUNT_SID: string;
	TWILIO_AUTH_TOKEN: string;
	TWILIO_FROM: string;
	TWILIO_WHATSAPP_FROM: string;
};

export type RunningPlatform = {
	env: AppEnv;
	apiUrl: string;
	mailboxUrl: string;
	messagingUrl: string;
	/** The data provider stand-in: plays data runs to the data-runs function. */
	dataProviderUrl: string;
	keys: PlatformKeys;
	seeded: boolean;
	stop(): Promise<void>;
};

const configToml = fileURLToPath(new URL('../supabase/config.toml', import.meta.url));

export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
	const log = options.onLog ?? (() => {});
	const pgDir = `${options.dataDir}/postgres`;
	const fresh = !existsSync(`${pgDir}/PG_VERSION`);
	const stops: Array<() => Promise<void>> = [];
	const stop = async () => {
		for (const fn of stops.reverse()) await fn().catch((e: Error) => log(`stop: ${e.message}`));
	};

	try {
		const postgres = await startPostgres({
			dataDir: pgDir,
			port: options.ports.db,
			ephemeral: options.ephemeral,
			onLog: (line) => log(`[db] ${line}`)
		});
		stops.push(() => postgres.stop());
		await bootstrap(postgres.url);
		await migrate(postgres.url);
		await installQueue(postgres.url);
		// The demo workspace goes in once, when the database is new (later runs keep what
		// you made); after the queue, whose jobs its triggers enqueue.
		if (fresh && options.demo) {
			const seconds = await loadDemo(postgres.url, {
				log: (line) => log(`[demo] ${line}`),
				storageDir: `${options.dataDir}/storage`
			});
			log(`[demo] workspace loaded in ${seconds.toFixed(1)} s`);
		}

		const keys = await loadOrCreateKeys(`${options.dataDir}/keys.json`);
		const mailbox = await startMailbox({
			smtpPort: options.ports.smtp,
			httpPort: options.ports.mailbox,
			storeFile: options.ephemeral ? undefined : `${options.dataDir}/mailbox.jsonl`,
			onLog: (line) => log(`[mail] ${line}`)
		});
		stops.push(() => mailbox.stop());
		const twilio = standInCredentials();
		const messaging = await startMessaging({
			httpPort: options.ports.messaging ?? 0,
			...twilio,
			// Replies go to the app's inbound webhook, as Twilio's would.
			inboundUrl: `${options.siteUrl.replace(/\/+$/, '')}/t/hooks/twilio/inbound`,
			onLog: (line) => log(`[sms] ${line}`)
		});
		stops.push(() => messaging.stop());

		const pool = new pg.Pool({ connectionString: postgres.url, max: 10 });
		// Postgres may go first on Ctrl-C; a dropped idle connection is not a crash.
		pool.on('error', (error) => log(`[api] idle connection lost: ${error.message}`));
		stops.push(() => pool.end());
		let functions: FunctionsRuntime | undefined;
		stops.push(async () => functions?.stop());
		// Data providers sign their run deliveries with it (the stand-in too).
		const dataRunsSecret = standInSecret();
		const api = await startApi({
			port: options.ports.api,
			// Built once the gateway listens: SUPABASE_URL carries the port it got.
			functions: (apiUrl) =>
				(functions = createFunctionsRuntime({
					functionsDir: fileURLToPath(new URL('../supabase/functions', import.meta.url)),
					configToml,
					env: {
						SUPABASE_URL: apiUrl,
						SUPABASE_ANON_KEY: keys.anonKey,
						SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
						SUPABASE_DB_URL: postgres.url,
						DATA_RUNS_WEBHOOK_SECRET: dataRunsSecret
					},
					keys,
					// Dev restarts a function when its files change; throwaway stacks do not watch.
					watch: !options.ephemeral,
					onLog: (line) => log(`[functions] ${line}`)
				})),
			storage: {
				db: pool,
				keys,
				dir: `${options.dataDir}/storage`,
				fileSizeLimit: readStorageFileSizeLimit(configToml)
			},
			auth: {
				db: pool,
				keys,
				trustedProxies: options.trustedProxies,
				settings: readAuthSettings(configToml, {
					siteUrl: options.siteUrl,
					smtp: { host: '127.0.0.1', port: mailbox.smtpPort }
				})
			},
			onLog: (line) => log(`[api] ${line}`)
		});
		stops.push(() => api.stop());
		const dataProvider = await startDataProvider({
			httpPort: options.ports.dataProvider ?? 0,
			webhookUrl: `${api.url}/functions/v1/data-runs`,
			secret: dataRunsSecret,
			onLog: (line) => log(`[data] ${line}`)
		});
		stops.push(() => dataProvider.stop());

		return {
			env: {
				PUBLIC_SUPABASE_URL: api.url,
				PUBLIC_SUPABASE_ANON_KEY: keys.anonKey,
				SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
				DATABASE_URL: postgres.url,
				SMTP_URL: `smtp://127.0.0.1:${mailbox.smtpPort}`,
				TWILIO_API_URL: messaging.url,
				TWILIO_ACCOUNT_SID: twilio.accountSid,
				TWILIO_AUTH_TOKEN: twilio.authToken,
				// Twilio's magic test numbers: valid, never a real phone.
				TWILIO_FROM: '+15005550006',
				TWILIO_WHATSAPP_FROM: '+15005550007'
			},
			apiUrl: api.url,
			mailboxUrl: mailbox.url,
			messagingUrl: messaging.url,
			dataProviderUrl: dataProvider.url,
			keys,
			seeded: fresh && Boolean(options.demo),
			stop
		};
	} catch (error) {
		await stop();
		throw error;
	}
}
