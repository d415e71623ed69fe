// Binding a port with the same clear message platform/ports.ts gives: what could not start,
// on which port, and the env var that moves it. assertPortFree catches the usual case up front;
// this also covers the port being taken between that check and the bind.
import type { Server } from 'node:net';
import { assertPortFree } from '../ports.ts';

export type PortSpec = { port: number; host: string; what: string; envVar: string };

export async function listen(server: Server, spec: PortSpec): Promise<number> {
	if (spec.port !== 0) await assertPortFree(spec.port, spec.what, spec.envVar);
	return new Promise((resolve, reject) => {
		const onError = (error: NodeJS.ErrnoException) => {
			server.off('listening', onListening);
			reject(
				error.code === 'EADDRINUSE'
					? new Error(
							`${spec.what} cannot listen on ${spec.host}:${spec.port}: the port is taken. ` +
								`Stop whatever holds it, or choose another port with ${spec.envVar}=<port>.`
						)
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
