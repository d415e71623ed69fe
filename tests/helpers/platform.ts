// One local Supabase stand-in per test file: a fresh clone of the migrated database, new
// keys, a dev mailbox and the API gateway (Auth under /auth/v1, Storage under /storage/v1
// with its bytes in a folder of its own), each on a port of its own
// (they listen on port 0 and say which port they got). Tests
// talk to it with supabase-js exactly as the app talks to Supabase.
//
//   const platform = await startTestPlatform();        // in beforeAll
//   const supabase = createClient(platform.apiUrl, platform.anonKey, { auth: { … } });
//   platform.clock.advance(3601_000);                   // expire access tokens, codes, …
//   await platform.stop();                              // in afterAll
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startApi } from '../../platform/api.ts';
import {
	readAuthSettings,
	type AuthSettings,
	type AuthSettingsOverrides
} from '../../platform/auth/index.ts';
import { createKeys, type PlatformKeys } from '../../platform/keys.ts';
import { startMailbox } from '../../platform/mailbox/index.ts';
import { etagAlgorithm, type EtagAlgorithm } from '../../platform/storage/etag.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

/** The Auth API's clock: real time plus an offset tests can move forward. */
export type TestClock = {
	now: () => Date;
	/** Moves Auth's time forward (tokens, codes and rate-limit windows age accordingly). */
	advance: (ms: number) => void;
	/** Back to real time. */
	reset: () => void;
};

export type TestPlatform = {
	/** What PUBLIC_SUPABASE_URL would be, e.g. http://127.0.0.1:40123 */
	apiUrl: string;
	anonKey: string;
	serviceRoleKey: string;
	mailboxUrl: string;
	db: TestDatabase;
	/** Superuser pool to this file's database (bypasses RLS; for assertions). */
	pool: pg.Pool;
	keys: PlatformKeys;
	/**
	 * The settings the Auth API runs with. Live: a test may flip a value (enableSignup,
	 * enableConfirmations, rateLimits, …) and must restore it.
	 */
	settings: AuthSettings;
	clock: TestClock;
	/** Where Storage keeps this platform's bytes. */
	storageDir: string;
	/** Lines the Auth API logged (unexpected errors, mail failures); also printed. */
	logs: string[];
	stop(): Promise<void>;
};

const configToml = fileURLToPath(new URL('../../supabase/config.toml', import.meta.url));

/**
 * Settings are the project's supabase/config.toml with `overrides` on top, except that the
 * per-IP rate limits are raised (every request of a test file comes from one IP) unless a
 * test sets them.
 */
export async function startTestPlatform(
	overrides: AuthSettingsOverrides = {},
	options: {
		/**
		 * Storage's ETag (platform/storage/etag.ts). md5 unless a test says otherwise: Supabase
		 * Storage's own default and what hosted Storage answers for a small upload, which the
		 * Storage contract suite (also run against a real project) and the files catalogue's
		 * checksums check; the local platform's default, mtime, has tests of its own. Set
		 * STORAGE_FILE_ETAG_ALGORITHM to run a test file with another.
		 */
		etagAlgorithm?: EtagAlgorithm;
	} = {}
): Promise<TestPlatform> {
	const stops: Array<() => Promise<void>> = [];
	const stop = async () => {
		for (const fn of stops.reverse()) await fn().catch(() => {});
	};
	try {
		const db = await createTestDatabase();
		stops.push(() => db.drop());
		const pool = new pg.Pool({ connectionString: db.url, max: 5 });
		stops.push(() => pool.end());
		const keys = await createKeys();
		const mailbox = await startMailbox({ smtpPort: 0, httpPort: 0 });
		stops.push(() => mailbox.stop());

		const logs: string[] = [];
		let offset = 0;
		const clock: TestClock = {
			now: () => new Date(Date.now() + offset),
			advance: (ms) => {
				offset += ms;
			},
			reset: () => {
				offset = 0;
			}
		};
		const settings = readAuthSettings(configToml, {
			...overrides,
			rateLimits: {
				signInSignUps: 10_000,
				tokenRefresh: 10_000,
				tokenBurst: 10_000,
				tokenVerifications: 10_000,
				...overrides.rateLimits
			},
			smtp: { host: '127.0.0.1', port: mailbox.smtpPort, ...overrides.smtp }
		});
		const storageDir = await mkdtemp(join(tmpdir(), 'gd-storage-'));
		stops.push(() => rm(storageDir, { recursive: true, force: true }));
		const api = await startApi({
			port: 0,
			storage: {
				db: pool,
				keys,
				dir: storageDir,
				etagAlgorithm:
					options.etagAlgorithm ?? etagAlgorithm(process.env.STORAGE_FILE_ETAG_ALGORITHM || 'md5'),
				now: clock.now,
				onLog: (line) => {
					logs.push(line);
					console.error(line);
				}
			},
			auth: {
				db: pool,
				keys,
				// The test process plays the app server, which forwards its visitors' addresses.
				trustedProxies: ['127.0.0.1'],
				settings,
				now: clock.now,
				onLog: (line) => {
					logs.push(line);
					console.error(line);
				}
			}
		});
		stops.push(() => api.stop());

		return {
			apiUrl: api.url,
			anonKey: keys.anonKey,
			serviceRoleKey: keys.serviceRoleKey,
			mailboxUrl: mailbox.url,
			db,
			pool,
			keys,
			settings,
			clock,
			storageDir,
			logs,
			stop
		};
	} catch (error) {
		await stop();
		throw error;
	}
}
