// Edge functions on the local platform: what Supabase serves at
// /functions/v1/<name>. Each function in supabase/functions runs in its own
// Deno process (deno from npm), started on its first request, with the
// environment Supabase gives functions (SUPABASE_URL, SUPABASE_ANON_KEY,
// SUPABASE_SERVICE_ROLE_KEY, SUPABASE_DB_URL, plus supabase/functions/.env).
// The JWT is verified in front of the function unless its [functions.<name>]
// section of supabase/config.toml says verify_jwt = false. The function sees
// the request path from /<name> on, as on Supabase.
//
//   const functions = createFunctionsRuntime({ functionsDir, configToml, env, keys });
//   mountFunctions(app, functions);     // in the API gateway (platform/api.ts)
//   await functions.stop();             // when the platform stops
import { watch, type FSWatcher } from 'node:fs';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Hono } from 'hono';
import { readFunctions, type FunctionConfig } from './config.ts';
import { createJwtVerifier, type JwtKeys } from './jwt.ts';
import { BootError, functionProcess, type FunctionProcess } from './process.ts';

export type FunctionsEnv = {
	SUPABASE_URL: string;
	SUPABASE_ANON_KEY: string;
	SUPABASE_SERVICE_ROLE_KEY: string;
	SUPABASE_DB_URL: string;
	/** Secrets of functions (Supabase's `secrets set`), e.g. DATA_RUNS_WEBHOOK_SECRET. */
	[secret: string]: string;
};

export type FunctionsOptions = {
	/** supabase/functions */
	functionsDir: string;
	/** supabase/config.toml ([functions.<name>] sections). */
	configToml?: string;
	env: FunctionsEnv;
	/** The platform's keys (platform/keys.ts): the JWT secret and the JWKS Auth publishes. */
	keys: JwtKeys;
	/** The deno binary (default: node_modules/.bin/deno). */
	deno?: string;
	/** Restart a function when its files change (dev). */
	watch?: boolean;
	startTimeoutMs?: number;
	onLog?: (line: string) => void;
};

export type FunctionsRuntime = {
	/** Answers a request for /functions/v1/<name><rest>. */
	handle(request: Request, name: string, rest: string): Promise<Response>;
	names(): string[];
	stop(): Promise<void>;
};

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const defaultDeno = join(projectRoot, 'node_modules', '.bin', 'deno');

function json(body: unknown, status: number): Response {
	return new Response(JSON.stringify(body), {
		status,
		headers: { 'content-type': 'application/json' }
	});
}

/** KEY=value lines of supabase/functions/.env (the CLI's --env-file default). */
function readEnvFile(file: string): Record<string, string> {
	if (!existsSync(file)) return {};
	const env: Record<string, string> = {};
	for (const line of readFileSync(file, 'utf8').split('\n')) {
		const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
		if (m && !m[1]!.startsWith('SUPABASE_')) env[m[1]!] = m[2]!.replace(/^(['"])(.*)\1$/, '$2');
	}
	return env;
}

export function createFunctionsRuntime(opts: FunctionsOptions): FunctionsRuntime {
	const log = opts.onLog ?? (() => {});
	const verify = createJwtVerifier(opts.keys);
	const processes = new Map<string, FunctionProcess>();
	let functions = readFunctions(opts.functionsDir, opts.configToml);
	let watcher: FSWatcher | undefined;

	const env = (): Record<string, string> => ({
		...readEnvFile(join(opts.functionsDir, '.env')),
		...opts.env,
		DENO_DIR: process.env.DENO_DIR ?? join(homedir(), '.cache', 'deno'),
		HOME: homedir(),
		DENO_NO_UPDATE_CHECK: '1'
	});

	const restartAll = () => {
		functions = readFunctions(opts.functionsDir, opts.configToml);
		const old = [...processes.values()];
		processes.clear();
		for (const p of old) void p.stop();
	};
	if (opts.watch && existsSync(opts.functionsDir)) {
		let timer: NodeJS.Timeout | undefined;
		watcher = watch(opts.functionsDir, { recursive: true }, () => {
			clearTimeout(timer);
			timer = setTimeout(() => {
				log('functions changed; restarting them on their next request');
				restartAll();
			}, 200);
		});
	}

	const find = (name: string): FunctionConfig | undefined => {
		if (!functions.has(name)) functions = readFunctions(opts.functionsDir, opts.configToml);
		return functions.get(name);
	};

	return {
		names: () => [...functions.keys()],
		async handle(request, name, rest) {
			const fn = find(name);
			if (!fn)
				return new Response('Function not found', {
					status: 404,
					headers: { 'content-type': 'text/plain' }
				});
			if (request.method !== 'OPTIONS' && fn.verifyJwt) {
				const check = await verify(request.headers.get('authorization'));
				if (!check.ok) return json(check.body, 401);
			}
			let proc = processes.get(name);
			if (!proc) {
				proc = functionProcess({
					name,
					entrypoint: fn.entrypoint,
					deno: opts.deno ?? defaultDeno,
					cwd: projectRoot,
					env: env(),
					startTimeoutMs: opts.startTimeoutMs ?? 30_000,
					onLog: log
				});
				processes.set(name, proc);
			}
			let base: string;
			try {
				base = await proc.url();
			} catch (error) {
				log(`[${name}] ${(error as Error).message}`);
				if (!(error instanceof BootError)) throw error;
				return json(
					{ code: 'BOOT_ERROR', message: 'Worker failed to boot (please check logs)' },
					503
				);
			}
			const url = new URL(request.url);
			const headers = new Headers(request.headers);
			for (const h of ['host', 'connection', 'keep-alive', 'transfer-encoding']) headers.delete(h);
			const hasBody = !['GET', 'HEAD'].includes(request.method);
			let response: Response;
			try {
				response = await fetch(`${base}/${name}${rest}${url.search}`, {
					method: request.method,
					headers,
					body: hasBody ? request.body : undefined,
					redirect: 'manual',
					...(hasBody ? { duplex: 'half' } : {})
				});
			} catch (error) {
				log(`[${name}] request failed: ${(error as Error).message}`);
				return json(
					{ code: 'WORKER_ERROR', message: 'Function exited due to an error (please check logs)' },
					500
				);
			}
			const out = new Headers(response.headers);
			for (const h of ['content-encoding', 'content-length', 'transfer-encoding', 'connection'])
				out.delete(h);
			return new Response(response.body, { status: response.status, headers: out });
		},
		async stop() {
			watcher?.close();
			await Promise.all([...processes.values()].map((p) => p.stop()));
			processes.clear();
		}
	};
}

/** Mounts /functions/v1/<name>[/*] on the gateway. */
export function mountFunctions(app: Hono, runtime: FunctionsRuntime): void {
	const handler = (c: Context) => {
		const name = c.req.param('name') ?? '';
		const path = new URL(c.req.url).pathname;
		const rest = path.slice(`/functions/v1/${name}`.length);
		return runtime.handle(c.req.raw, name, rest);
	};
	app.all('/functions/v1/:name', handler);
	app.all('/functions/v1/:name/*', handler);
}
