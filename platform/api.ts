// The API gateway of the local platform: what Kong is on port 54321 of Supabase's local stack.
// One port, CORS for browsers, and one mount per service:
//
//   /auth/v1/*       Auth (platform/auth)
//   /storage/v1/*    Storage (platform/storage)
//   /functions/v1/*  Edge functions (platform/functions)
//
// Anything else is a 404 in Kong's words.
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { createAuthApp, type AuthOptions } from './auth/index.ts';
import { mountFunctions, type FunctionsRuntime } from './functions/index.ts';
import { createStorageApp, type StorageOptions } from './storage/index.ts';
import type { Server } from 'node:http';
import { listen } from './ports.ts';

export type ApiOptions = {
	/** A fixed port (dev: 54321), or 0: any free port (tests, E2E); `url` says which. */
	port: number;
	/** Interface to listen on; 127.0.0.1 keeps the stack off the network. */
	host?: string;
	/** Auth's settings; `externalUrl` defaults to the gateway's own URL, once it listens. */
	auth: Omit<AuthOptions, 'externalUrl'> & { externalUrl?: string };
	/**
	 * Edge functions under /functions/v1/<name>, when the platform runs them; a function of the
	 * gateway's URL when they need it (SUPABASE_URL) and the port is only known once it listens.
	 */
	functions?: FunctionsRuntime | ((apiUrl: string) => FunctionsRuntime);
	/** Storage's settings (its database, keys and the folder of its bytes), when it runs. */
	storage?: StorageOptions;
	onLog?: (line: string) => void;
};

export type RunningApi = {
	/** e.g. http://127.0.0.1:54321: what PUBLIC_SUPABASE_URL points at. */
	url: string;
	port: number;
	stop(): Promise<void>;
};

/** Every header the Supabase client libraries send (see @supabase/supabase-js/cors). */
const ALLOWED_HEADERS = [
	'authorization',
	'apikey',
	'content-type',
	'x-client-info',
	'x-supabase-api-version',
	'x-retry-count',
	'traceparent',
	'tracestate',
	'baggage',
	'accept',
	'accept-profile',
	'content-profile',
	'prefer',
	'range',
	'x-upsert',
	// storage-js's upload metadata (user_metadata), sent by browsers as Supabase's gateway allows.
	'x-metadata',
	'cache-control',
	'x-region',
	// tus-js-client's resumable uploads (/storage/v1/upload/resumable)
	'tus-resumable',
	'upload-length',
	'upload-offset',
	'upload-metadata',
	'upload-defer-length',
	'upload-concat',
	'x-http-method-override',
	'x-signature'
];

/**
 * Response headers clients read: pagination (admin.listUsers), the Auth API version, and the
 * TUS headers of a resumable upload (where it lives, how far it got).
 */
const EXPOSED_HEADERS = [
	'X-Total-Count',
	'Link',
	'X-Supabase-Api-Version',
	'x-sb-error-code',
	'Content-Range',
	'Location',
	'Tus-Resumable',
	'Tus-Version',
	'Tus-Extension',
	'Tus-Max-Size',
	'Upload-Offset',
	'Upload-Length',
	'Upload-Metadata',
	'Upload-Expires',
	'X-Transformations'
];

export function createGateway(opts: {
	auth: AuthOptions;
	functions?: FunctionsRuntime;
	storage?: StorageOptions;
	onLog?: (line: string) => void;
}): Hono {
	const app = new Hono();
	app.use(
		'*',
		cors({
			origin: '*',
			allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
			allowHeaders: ALLOWED_HEADERS,
			exposeHeaders: EXPOSED_HEADERS,
			maxAge: 3600
		})
	);
	app.route('/', createAuthApp({ ...opts.auth, onLog: opts.auth.onLog ?? opts.onLog }));
	if (opts.storage) {
		app.route('/', createStorageApp({ ...opts.storage, onLog: opts.storage.onLog ?? opts.onLog }));
	}
	if (opts.functions) mountFunctions(app, opts.functions);
	app.notFound((c) => c.json({ message: 'no Route matched with those values' }, 404));
	return app;
}

export async function startApi(opts: ApiOptions): Promise<RunningApi> {
	const host = opts.host ?? '127.0.0.1';
	// Bound first, so that Auth's issuer and the functions' SUPABASE_URL carry the port it got.
	// Nothing is answered before the gateway exists: it is built before this function returns.
	const gateway: { app?: Hono } = {};
	const server = createAdaptorServer({
		fetch: (...args: Parameters<Hono['fetch']>) => gateway.app!.fetch(...args)
	}) as Server;
	const port = await listen(server, {
		port: opts.port,
		host,
		what: 'The API gateway',
		envVar: 'GD_API_PORT'
	});
	const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
	gateway.app = createGateway({
		auth: { ...opts.auth, externalUrl: opts.auth.externalUrl ?? url },
		functions: typeof opts.functions === 'function' ? opts.functions(url) : opts.functions,
		storage: opts.storage,
		onLog: opts.onLog
	});
	opts.onLog?.(`api: ${url} (auth at ${url}/auth/v1)`);
	return {
		url,
		port,
		stop: () =>
			new Promise<void>((resolve, reject) => {
				// Keep-alive connections would hold close() open; end them.
				server.closeAllConnections();
				server.close((error) => (error ? reject(error) : resolve()));
			})
	};
}
