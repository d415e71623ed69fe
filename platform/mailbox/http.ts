// Serves the Hono app on Node's http server. The server is created here rather than with
// `serve()` so that binding errors (a taken port) reach startMailbox as a rejected promise
// with a clear message, instead of an 'error' event nobody listens to.
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Server } from 'node:http';
import { listen, type PortSpec } from '../ports.ts';

export type RunningHttp = { port: number; close(): Promise<void> };

export async function startHttp(app: Hono, spec: PortSpec): Promise<RunningHttp> {
	const server = createAdaptorServer({ fetch: app.fetch }) as Server;
	const port = await listen(server, spec);
	return {
		port,
		close: () =>
			new Promise<void>((resolve, reject) => {
				server.close((error) => (error ? reject(error) : resolve()));
				// Browsers keep idle keep-alive connections open; do not wait for them.
				server.closeAllConnections();
			})
	};
}
