// Port helpers: a clear message when a port is taken, and free ports for tests.
import { createServer } from 'node:net';

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
	return new Promise((resolve) => {
		const server = createServer()
			.once('error', () => resolve(false))
			.once('listening', () => server.close(() => resolve(true)))
			.listen(port, host);
	});
}

export async function assertPortFree(port: number, what: string, envVar: string): Promise<void> {
	if (!(await isPortFree(port))) {
		throw new Error(
			`${what} cannot listen on 127.0.0.1:${port}: the port is taken. ` +
				`Stop whatever holds it, or choose another port with ${envVar}=<port>.`
		);
	}
}

/** A port the OS says is free right now (tests use these, never fixed ports). */
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
