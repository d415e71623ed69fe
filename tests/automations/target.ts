// A local HTTP endpoint for tests: records every request and answers with the
// status a script says (fail N times, then succeed).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Received = { method: string; path: string; headers: IncomingHttpHeaders; body: string };

export type Target = {
	url: string;
	received: Received[];
	/** Statuses to answer with, in order; the last one repeats. */
	script: number[];
	close(): Promise<void>;
};

export async function startTarget(script: number[] = [200]): Promise<Target> {
	const target: Target = { url: '', received: [], script, close: () => Promise.resolve() };
	const server = createServer((req, res) => {
		let body = '';
		req.setEncoding('utf8');
		req.on('data', (chunk: string) => (body += chunk));
		req.on('end', () => {
			target.received.push({
				method: req.method ?? '',
				path: req.url ?? '',
				headers: req.headers,
				body
			});
			const index = Math.min(target.received.length - 1, target.script.length - 1);
			const status = target.script[index] ?? 200;
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ ok: status < 300, n: target.received.length }));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	target.url = `http://127.0.0.1:${port}`;
	target.close = () =>
		new Promise((resolve) => {
			server.closeAllConnections();
			server.close(() => resolve());
		});
	return target;
}
