// Ports: servers bind the port they are given, or any free one when given 0 (tests and the E2E
// stack always pass 0 and read back the port they got: checking that a port is free and then
// listening on it loses races to other processes). A fixed port that is taken (the dev
// command's Supabase ports) fails with a message that says what to do.
import { createServer, type Server } from 'node:net';

export function portTakenMessage(what: string, host: string, port: number, envVar: string) {
	return (
		`${what} cannot listen on ${host}:${port}: the port is taken. ` +
		`Stop whatever holds it, or choose another port with ${envVar}=<port>.`
	);
}

export type PortSpec = { port: number; host: string; what: string; envVar: string };

/** Listens on `spec.port` (0: any free port); resolves with the port it got. */
export function listen(server: Server, spec: PortSpec): Promise<number> {
	return new Promise((resolve, reject) => {
		const onError = (error: NodeJS.ErrnoException) => {
			server.off('listening', onListening);
			reject(
				error.code === 'EADDRINUSE'
					? new Error(portTakenMessage(spec.what, spec.host, spec.port, spec.envVar))
					: new Error(`${spec.what} cannot listen on ${spec.host}:${spec.port}: ${error.message}`, {
							cause: error
						})
			);
		};
		const onListening = () => {
			server.off('error', onError);
			const address = server.address();
			resolve(typeof address === 'object' && address ? address.port : spec.port);
		};
		server.once('error', onError);
		server.once('listening', onListening);
		server.listen(spec.port, spec.host);
	});
}

/**
 * A port that was free a moment ago: only for what cannot listen on port 0 (Postgres), and only
 * with a retry on another port when the bind fails (platform/postgres.ts).
 */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer()
			.once('error', reject)
			.listen(0, '127.0.0.1', () => {
				const address = server.address();
				const port = typeof address === 'object' && address ? address.port : 0;
				server.close(() => resolve(port));
			});
	});
}
