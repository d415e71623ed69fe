// MD5 of an upload on a worker thread, beside the disk writes.
//
// With STORAGE_FILE_ETAG_ALGORITHM=md5 (Supabase Storage's file backend default; etag.ts) an
// object's ETag is the MD5 of its bytes, as S3 answers for a single-part upload; the app's files
// catalogue keeps the ETag as the checksum. MD5 runs at ~660 MB/s on one core here: on the thread that also reads the
// socket and hands blocks to the disk it was a third of an upload's CPU (bench:storage). The
// bytes reach the worker as shared memory (the upload's blocks are SharedArrayBuffers), so
// nothing is copied for it; a block is reused only once both its write and its hash are done.
import { Worker } from 'node:worker_threads';

/** The worker: one MD5 per upload id, fed blocks in the order they were posted. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
	if (m.kind === 'update') {
		let hash = hashes.get(m.id);
		if (!hash) hashes.set(m.id, (hash = createHash('md5')));
		hash.update(new Uint8Array(m.memory, 0, m.length));
		parentPort.postMessage({ id: m.id, seq: m.seq });
	} else if (m.kind === 'digest') {
		const hash = hashes.get(m.id) ?? createHash('md5');
		hashes.delete(m.id);
		parentPort.postMessage({ id: m.id, seq: m.seq, digest: hash.digest('hex') });
	} else {
		hashes.delete(m.id);
	}
});
`;

type Reply = { id: number; seq: number; digest?: string };
type Waiter = { resolve: (reply: Reply) => void; reject: (error: Error) => void };

let worker: Worker | null = null;
const waiting = new Map<string, Waiter>();
let nextId = 1;

function hashWorker(): Worker {
	if (worker) return worker;
	const started = new Worker(WORKER_SOURCE, { eval: true });
	// Never what keeps a process alive.
	started.unref();
	started.on('message', (reply: Reply) => {
		const key = `${reply.id}:${reply.seq}`;
		waiting.get(key)?.resolve(reply);
		waiting.delete(key);
	});
	const fail = (error: Error) => {
		if (worker === started) worker = null;
		for (const waiter of waiting.values()) waiter.reject(error);
		waiting.clear();
	};
	started.on('error', fail);
	started.on('exit', (code) => fail(new Error(`md5 worker exited (${code})`)));
	worker = started;
	return started;
}

export type Md5 = {
	/** Hashes the first `length` bytes of `block` (backed by a SharedArrayBuffer); resolves once done. */
	update(block: Buffer, length: number): Promise<void>;
	/** The hex digest of everything updated, in order. */
	digest(): Promise<string>;
	/** Forgets an upload that will not finish. */
	abort(): void;
};

export function md5(): Md5 {
	const target = hashWorker();
	const id = nextId++;
	let seq = 0;
	const ask = (message: Record<string, unknown>) =>
		new Promise<Reply>((resolve, reject) => {
			// A worker that died fails what was asked of it and is replaced for later uploads.
			if (worker !== target) return reject(new Error('md5 worker exited'));
			const at = seq++;
			waiting.set(`${id}:${at}`, { resolve, reject });
			target.postMessage({ ...message, id, seq: at });
		});
	return {
		update: async (block, length) => {
			await ask({ kind: 'update', memory: block.buffer, length });
		},
		digest: async () => (await ask({ kind: 'digest' })).digest!,
		abort: () => target.postMessage({ kind: 'abort', id })
	};
}
