// One Deno process per edge function, started on its first request and kept
// (module state survives between requests, as in a warm Edge Runtime worker).
// A process that exits is started again on the next request.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HOST = fileURLToPath(new URL('./host.js', import.meta.url));

export type FunctionProcess = {
	/** The base URL the function listens on, once it does. */
	url(): Promise<string>;
	stop(): Promise<void>;
};

export type ProcessOptions = {
	name: string;
	entrypoint: string;
	deno: string;
	cwd: string;
	env: Record<string, string>;
	startTimeoutMs: number;
	onLog: (line: string) => void;
};

export class BootError extends Error {
	override readonly name = 'BootError';
}

export function functionProcess(opts: ProcessOptions): FunctionProcess {
	let child: ChildProcess | undefined;
	let ready: Promise<string> | undefined;
	let stopped = false;

	const start = (): Promise<string> => {
		const proc = spawn(
			opts.deno,
			[
				'run',
				'--allow-net',
				'--allow-env',
				'--allow-read',
				'--allow-sys',
				'--no-prompt',
				HOST,
				opts.entrypoint
			],
			{
				cwd: opts.cwd,
				// Port 0: Deno takes any free port and says which (no check-then-listen race).
				env: { ...opts.env, GD_FUNCTION_PORT: '0', NO_COLOR: '1' },
				stdio: ['ignore', 'pipe', 'pipe']
			}
		);
		child = proc;
		const log = (stream: NodeJS.ReadableStream, onLine?: (line: string) => void) => {
			let buffer = '';
			stream.setEncoding('utf8');
			stream.on('data', (chunk: string) => {
				buffer += chunk;
				let nl;
				while ((nl = buffer.indexOf('\n')) >= 0) {
					const line = buffer.slice(0, nl);
					buffer = buffer.slice(nl + 1);
					onLine?.(line);
					if (!line.startsWith('gd-function-listening')) opts.onLog(`[${opts.name}] ${line}`);
				}
			});
		};
		return new Promise<string>((resolve, reject) => {
			const timer = setTimeout(() => {
				proc.kill('SIGKILL');
				reject(new BootError(`${opts.name} did not start within ${opts.startTimeoutMs} ms`));
			}, opts.startTimeoutMs);
			log(proc.stdout, (line) => {
				const listening = /^gd-function-listening (\d+)$/.exec(line);
				if (listening) {
					clearTimeout(timer);
					resolve(`http://127.0.0.1:${listening[1]}`);
				}
			});
			log(proc.stderr);
			proc.once('error', (error) => {
				clearTimeout(timer);
				reject(new BootError(`${opts.name}: ${error.message}`));
			});
			proc.once('exit', (code, signal) => {
				clearTimeout(timer);
				if (child === proc) {
					child = undefined;
					ready = undefined;
				}
				if (!stopped) opts.onLog(`[${opts.name}] exited (${signal ?? code})`);
				reject(new BootError(`${opts.name} exited while starting (${signal ?? code})`));
			});
		});
	};

	return {
		url() {
			if (stopped) return Promise.reject(new BootError(`${opts.name} is stopped`));
			ready ??= start().catch((error: unknown) => {
				ready = undefined;
				throw error;
			});
			return ready;
		},
		async stop() {
			stopped = true;
			const proc = child;
			if (!proc || proc.exitCode !== null) return;
			const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
			proc.kill('SIGTERM');
			const timer = setTimeout(() => proc.kill('SIGKILL'), 2000);
			await exited;
			clearTimeout(timer);
		}
	};
}
