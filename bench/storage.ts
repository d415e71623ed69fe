// `npm run bench:storage`: Storage on the local platform against plain file streams.
//
// The Storage API runs in a child process of its own (so its memory is measured alone), on a
// throwaway migrated Postgres. Measured in the same run:
// - upload and download of a 100 MB file (BENCH_MB) through /storage/v1 against writing and
//   reading the same bytes with fs streams, as throughput ratios (goal ≥ 0.5× both ways),
//   BENCH_ROUNDS (5) rounds each after one untimed full-size write and upload (below),
//   interleaved, medians compared. Like for like on the disk: each round's upload is a new
//   object and its fs baseline a new file, both kept (below, and a second pairing where
//   both sides write into pages just given back). Uploads are timed with both ETag
//   algorithms (platform/storage/etag.ts): the platform's default, mtime, is the goal's row;
//   md5 (Supabase Storage's default, every byte hashed) is printed beside it. The client is plain streaming
//   HTTP/1.1 (below: node:http for the upload, a socket read into one reused 1 MiB buffer for
//   the download, the download also timed through node:http for comparison), not fetch;
// - where the upload's floor is: the same bytes sent by the same client to two servers in the
//   Storage process that only receive them, a node:http server draining the body (what
//   Storage's route gets at best) and a plain socket counting bytes (the kernel's loopback
//   TCP, no HTTP parsing), with their CPU time; and a bare node:http server whose handler is
//   only Storage's disk code storing the body (receive + write, no routing, token,
//   transaction or row: the floor of any upload that keeps its bytes);
// - listing a folder of 10,000 objects (BENCH_OBJECTS), one page of 100 as a signed-in user
//   under an RLS policy, p50/p95 over 200 runs (goal p95 ≤ 50 ms);
// - the Storage process's resident memory before and after (flat: bytes are streamed, never
//   held whole), and its CPU time per 100 MB each way (what the machine's load moves least),
//   with the client's (this process's) beside it: both share the machine's cores.
//
// Profile it with `node --cpu-prof bench/storage.ts`: the Storage process gets the same flags.
import { spawn } from 'node:child_process';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createClient } from '@supabase/supabase-js';
import { importJWK, SignJWT } from 'jose';
import pg from 'pg';
import { loadOrCreateKeys } from '../platform/keys.ts';
import { etagAlgorithm } from '../platform/storage/etag.ts';
import { createDisk } from '../platform/storage/disk.ts';
import { createStorageApp } from '../platform/storage/index.ts';
import { ms, startBenchDatabase, summarize } from './lib.ts';

const MB = Number(process.env.BENCH_MB ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 10_000);
const LIST_RUNS = Number(process.env.BENCH_LIST_RUNS ?? 200);

if (process.argv.includes('--serve')) {
	// The child: only the Storage API, on any free port.
	const dir = process.env.BENCH_DIR!;
	const keys = await loadOrCreateKeys(join(dir, 'keys.json'));
	const db = new pg.Pool({ connectionString: process.env.BENCH_DB_URL, max: 10 });
	const settings = { db, keys, dir: join(dir, 'storage'), fileSizeLimit: 2 * MB * 1024 * 1024 };
	// The platform's default ETag (STORAGE_FILE_ETAG_ALGORITHM unset: mtime), and md5 for the
	// requests that ask for it.
	const app = createStorageApp(settings);
	const md5App = createStorageApp({ ...settings, etagAlgorithm: 'md5' });
	// The bench asks the child for its CPU time around the transfers (a number the machine's
	// load moves far less than wall-clock time).
	const handle: typeof app.fetch = (request, ...rest) =>
		new URL(request.url).pathname === '/bench/cpu'
			? Response.json(process.cpuUsage())
			: (request.headers.get('x-bench-etag') === 'md5' ? md5App : app).fetch(request, ...rest);
	// The floor's two servers: bytes received and dropped, 200 once all came.
	const drain = createHttpServer((req, res) => {
		req.resume();
		req.on('end', () => res.end('ok'));
	});
	// And the same bytes stored by Storage's own disk code (disk.write: writev per MiB into a
	// temporary file, its ETag; kept, as Storage keeps an upload) behind a bare node:http
	// server: no routing, token, transaction or row, so what is left is receiving and writing.
	const floorDisk = createDisk(join(dir, 'floor'), {
		etagAlgorithm: etagAlgorithm(process.env.STORAGE_FILE_ETAG_ALGORITHM)
	});
	const store = createHttpServer((req, res) => {
		floorDisk.write(req, Infinity).then(
			() => res.end('ok'),
			(error: unknown) => res.writeHead(500).end(String(error))
		);
	});
	const raw = createNetServer((socket) => {
		let head = '';
		let left = -1;
		socket.on('data', (chunk: Buffer) => {
			if (left < 0) {
				head += chunk.toString('latin1');
				const end = head.indexOf('\r\n\r\n');
				if (end < 0) return;
				const declared = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
				left = Number(declared ?? 0) - (head.length - end - 4);
			} else left -= chunk.length;
			if (left <= 0)
				socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok');
		});
	});
	await Promise.all(
		[drain, raw, store].map((s) => new Promise((r) => s.listen(0, '127.0.0.1', () => r(null))))
	);
	const portOf = (s: { address(): unknown }) => (s.address() as AddressInfo).port;
	const server = serve({ fetch: handle, port: 0, hostname: '127.0.0.1' }, (info) => {
		console.log(
			`READY http://127.0.0.1:${info.port} ${portOf(drain)} ${portOf(raw)} ${portOf(store)}`
		);
	});
	process.on('SIGTERM', () => {
		server.close();
		drain.close();
		raw.close();
		store.close();
		void db.end().then(() => process.exit(0));
	});
} else {
	await main();
}

async function rssMb(pid: number): Promise<number> {
	const status = await readFile(`/proc/${pid}/status`, 'utf8');
	return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * GET `path` over a plain socket, every read landing in one reused 1 MiB buffer (node's
 * `onread`), as a native client reads a response; resolves with the body's length once
 * Content-Length bytes arrived, rejects on any status but 200.
 */
function socketGet(origin: URL, path: string, headers: Record<string, string>) {
	return new Promise<number>((resolve, reject) => {
		let head = Buffer.alloc(0);
		let length = -1;
		let received = 0;
		const socket = connect({
			host: origin.hostname,
			port: Number(origin.port),
			onread: {
				buffer: Buffer.allocUnsafe(1 << 20),
				callback(bytes: number, buffer: Uint8Array) {
					let body = bytes;
					if (length < 0) {
						head = Buffer.concat([head, buffer.subarray(0, bytes)]);
						const end = head.indexOf('\r\n\r\n');
						if (end < 0) return true;
						const lines = head.subarray(0, end).toString('latin1').split('\r\n');
						const declared = lines
							.map((line) => /^content-length:\s*(\d+)$/i.exec(line)?.[1])
							.find(Boolean);
						if (!/^HTTP\/1\.1 200 /.test(lines[0]!) || declared === undefined) {
							socket.destroy();
							reject(new Error(`download: ${lines[0]} (content-length ${declared})`));
							return false;
						}
						length = Number(declared);
						body = head.length - (end + 4);
					}
					received += body;
					if (received >= length) {
						socket.end();
						resolve(received);
					}
					return true;
				}
			}
		});
		socket.on('error', reject);
		// Closed before every byte came (a no-op once resolved).
		socket.on('close', () => reject(new Error(`download: closed after ${received} bytes`)));
		const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
		socket.write(
			`GET ${path} HTTP/1.1\r\nHost: ${origin.host}\r\nConnection: close\r\n${lines.join('')}\r\n`
		);
	});
}

function median(xs: number[]): number {
	return summarize(xs).p50;
}

async function main() {
	const postgres = await startBenchDatabase();
	const dir = await mkdtemp(join(tmpdir(), 'gd-bench-storage-'));
	const keys = await loadOrCreateKeys(join(dir, 'keys.json'));
	const child = spawn(
		process.execPath,
		[...process.execArgv, fileURLToPath(import.meta.url), '--serve'],
		{
			env: { ...process.env, BENCH_DIR: dir, BENCH_DB_URL: postgres.url },
			stdio: ['ignore', 'pipe', 'inherit']
		}
	);
	try {
		const [url, drainPort, rawPort, storePort] = await new Promise<
			[string, string, string, string]
		>((resolve, reject) => {
			child.stdout.on('data', (chunk: Buffer) => {
				const match = /READY (\S+) (\d+) (\d+) (\d+)/.exec(chunk.toString());
				if (match) resolve([match[1]!, match[2]!, match[3]!, match[4]!]);
			});
			child.on('exit', (code) => reject(new Error(`storage process exited (${code})`)));
		});
		const storage = createClient(url, keys.serviceRoleKey, {
			auth: { persistSession: false }
		}).storage;
		// createClient wants a project URL; Storage is served at the root here.
		const api = `${url}/storage/v1`;
		const auth = { Authorization: `Bearer ${keys.serviceRoleKey}` };
		const made = await storage.createBucket('bench');
		if (made.error) throw made.error;

		const chunk = 1 << 20;
		const data = randomBytes(MB * chunk);
		const chunks = () => {
			const parts: Buffer[] = [];
			for (let at = 0; at < data.length; at += chunk) parts.push(data.subarray(at, at + chunk));
			return Readable.from(parts);
		};
		// Like for like on the disk. Storage keeps each upload as a new object, so the fs
		// baseline writes each round's bytes into a new file, kept too: both take page-cache
		// pages no file holds. Until 2026-12-05 the baseline rewrote one file, whose pages a
		// truncated file had just given back, while Storage kept every object. On this machine
		// (a VM whose host backs guest memory when it is first touched) the two can differ
		// several times over: minutes after a boot, 100 MB into new files kept cost ~200 ms of
		// CPU each against ~35 ms rewriting one file; once the machine had run a while, new
		// files took 35–50 ms too. Both sides writing into pages just given back are timed
		// after the rounds (below).
		const baselineFile = (round: number) => join(dir, `baseline-${round}.bin`);

		// The clients, both plain streaming HTTP/1.1 on loopback (the bench's own CPU competes
		// with Storage's for the same cores, so the client must cost little, as a native client
		// would; fetch's web streams cost it several times what Storage spends):
		// - upload: a node:http request, the body written in the 1 MiB chunks the fs baseline
		//   writes;
		// - download: a GET on a plain socket whose reads land in one reused 1 MiB buffer, as
		//   the fs baseline reads 1 MiB blocks (the status line and Content-Length are checked
		//   and every byte is counted). node:http's response is also timed, for comparison: its
		//   parser copies each 64 KiB socket read into a new Buffer, which costs the client
		//   ~3 ms of CPU per MB, several times what Storage spends sending it.
		const origin = new URL(url);
		const upload = (path: string, etag: 'default' | 'md5' = 'default', port = origin.port) =>
			new Promise<void>((resolve, reject) => {
				const headers = {
					...auth,
					...(etag === 'md5' ? { 'x-bench-etag': 'md5' } : {}),
					'content-type': 'application/octet-stream',
					'content-length': String(data.length)
				};
				const req = httpRequest(
					{ host: origin.hostname, port, method: 'POST', path, headers },
					(response) => {
						const parts: Buffer[] = [];
						response.on('data', (part: Buffer) => parts.push(part));
						response.on('error', reject);
						response.on('end', () =>
							response.statusCode === 200
								? resolve()
								: reject(new Error(`upload: ${Buffer.concat(parts).toString()}`))
						);
					}
				);
				req.on('error', reject);
				pipeline(chunks(), req).catch(reject);
			});
		const downloadHttp = (path: string) =>
			new Promise<number>((resolve, reject) => {
				const req = httpRequest(
					{ host: origin.hostname, port: origin.port, path, headers: auth },
					(response) => {
						if (response.statusCode !== 200) reject(new Error(`download: ${response.statusCode}`));
						let size = 0;
						response.on('data', (part: Buffer) => (size += part.length));
						response.on('error', reject);
						response.on('end', () => resolve(size));
					}
				);
				req.on('error', reject);
				req.end();
			});
		const download = (path: string) => socketGet(origin, path, auth);

		// Warm both paths up once with a small file, then take the memory baseline.
		await fetch(`${api}/object/bench/warm.bin`, {
			method: 'POST',
			headers: { ...auth, 'content-type': 'application/octet-stream' },
			body: data.subarray(0, chunk)
		}).then((r) => r.arrayBuffer());
		const rssBefore = await rssMb(child.pid!);
		// Then once more at full size, untimed, each side alike (an fs write of the baseline
		// file, a Storage upload): the Storage process's first large body lands in memory new to
		// it (40 MB in a fresh process: ~25,000 minor page faults per 100 MB, ~400 ms more of its
		// CPU per 100 MB than the same upload once warm; later ones ~0–7,000), which the rounds'
		// first upload paid alone.
		await pipeline(chunks(), createWriteStream(join(dir, 'warm-full.bin')));
		await upload(`/storage/v1/object/bench/warm-full.bin`);

		const cpuMs = async () => {
			const used = (await (await fetch(`${url}/bench/cpu`)).json()) as NodeJS.CpuUsage;
			return (used.user + used.system) / 1000;
		};
		const clientMs = () => {
			const used = process.cpuUsage();
			return (used.user + used.system) / 1000;
		};
		// CPU time of the Storage process and of this (client) process during each transfer.
		const cpu = {
			up: 0,
			upMd5: 0,
			drain: 0,
			raw: 0,
			disk: 0,
			down: 0,
			clientUp: 0,
			clientDown: 0,
			clientDownHttp: 0
		};
		const up = {
			fs: [] as number[],
			storage: [] as number[],
			md5: [] as number[],
			drain: [] as number[],
			raw: [] as number[],
			disk: [] as number[],
			// Both sides writing into pages just given back (below).
			fsRecycled: [] as number[],
			storageRecycled: [] as number[],
			drainRecycled: [] as number[]
		};
		const down = { fs: [] as number[], storage: [] as number[], http: [] as number[] };
		for (let round = 0; round < ROUNDS; round++) {
			const path = `/storage/v1/object/bench/big-${round}.bin`;
			let t = performance.now();
			await pipeline(chunks(), createWriteStream(baselineFile(round)));
			up.fs.push(performance.now() - t);

			let cpuAt = await cpuMs();
			let clientAt = clientMs();
			t = performance.now();
			await upload(path);
			up.storage.push(performance.now() - t);
			cpu.clientUp += clientMs() - clientAt;
			cpu.up += (await cpuMs()) - cpuAt;

			// The same bytes with an MD5 ETag (Supabase Storage's default).
			cpuAt = await cpuMs();
			t = performance.now();
			await upload(path.replace('/big-', '/big-md5-'), 'md5');
			up.md5.push(performance.now() - t);
			cpu.upMd5 += (await cpuMs()) - cpuAt;

			// The floor: the same bytes to servers that only receive them.
			for (const [kind, port] of [
				['drain', drainPort],
				['raw', rawPort],
				['disk', storePort]
			] as const) {
				cpuAt = await cpuMs();
				t = performance.now();
				await upload('/', 'default', port);
				up[kind].push(performance.now() - t);
				cpu[kind] += (await cpuMs()) - cpuAt;
			}

			t = performance.now();
			let size = 0;
			for await (const part of createReadStream(baselineFile(round), { highWaterMark: chunk })) {
				size += (part as Buffer).length;
			}
			down.fs.push(performance.now() - t);
			if (size !== data.length) throw new Error('baseline read short');

			cpuAt = await cpuMs();
			clientAt = clientMs();
			t = performance.now();
			size = await download(path.replace('/object/', '/object/authenticated/'));
			down.storage.push(performance.now() - t);
			cpu.clientDown += clientMs() - clientAt;
			cpu.down += (await cpuMs()) - cpuAt;
			if (size !== data.length) throw new Error('download short');

			clientAt = clientMs();
			t = performance.now();
			size = await downloadHttp(path.replace('/object/', '/object/authenticated/'));
			down.http.push(performance.now() - t);
			cpu.clientDownHttp += clientMs() - clientAt;
			if (size !== data.length) throw new Error('download (node:http) short');
		}
		// Both sides writing into page-cache pages just given back: each write's file is
		// deleted before the next write, the fs baseline's before Storage's upload and the
		// object before the next fs write, so each side takes the pages the other freed (as a
		// machine whose page cache is full and turning over would give them). What only
		// receiving the bytes costs is timed beside them: here the transport, not the disk,
		// is most of an upload.
		for (let round = 0; round < ROUNDS; round++) {
			const file = join(dir, 'recycled.bin');
			let t = performance.now();
			await pipeline(chunks(), createWriteStream(file));
			up.fsRecycled.push(performance.now() - t);
			await rm(file);
			t = performance.now();
			await upload('/storage/v1/object/bench/recycled.bin');
			up.storageRecycled.push(performance.now() - t);
			const removed = await storage.from('bench').remove(['recycled.bin']);
			if (removed.error || removed.data.length !== 1)
				throw removed.error ?? new Error('not removed');
			t = performance.now();
			await upload('/', 'default', drainPort);
			up.drainRecycled.push(performance.now() - t);
		}
		const rssAfterTransfers = await rssMb(child.pid!);

		// A folder of OBJECTS objects (rows only: listing reads no bytes), listed by a
		// signed-in user whom a policy lets read the bucket.
		const admin = new pg.Client({ connectionString: postgres.url });
		await admin.connect();
		const userId = randomUUID();
		await admin.query(
			`insert into auth.users (id, aud, role, email, created_at, updated_at)
			 values ($1, 'authenticated', 'authenticated', $2, now(), now())`,
			[userId, `${userId}@bench.test`]
		);
		await admin.query(
			`insert into storage.objects (bucket_id, name, owner_id, metadata)
			 select 'bench', 'folder/' || lpad(i::text, 6, '0') || '.txt', $1,
			        jsonb_build_object('size', i, 'mimetype', 'text/plain')
			   from generate_series(1, $2) i`,
			[userId, OBJECTS]
		);
		await admin.query(
			`create policy "Bench readers read the bench bucket" on storage.objects
			   for select to authenticated using (bucket_id = 'bench')`
		);
		await admin.query('analyze storage.objects');
		await admin.end();
		const signingKey = await importJWK(keys.signingKey, 'ES256');
		const token = await new SignJWT({ sub: userId, role: 'authenticated', aud: 'authenticated' })
			.setProtectedHeader({ alg: 'ES256', kid: keys.signingKey.kid, typ: 'JWT' })
			.setIssuedAt()
			.setExpirationTime('1h')
			.sign(signingKey);
		const asUser = createClient(url, keys.anonKey, {
			auth: { persistSession: false },
			global: { headers: { Authorization: `Bearer ${token}` } }
		}).storage.from('bench');
		const listTimes: number[] = [];
		for (let i = 0; i < LIST_RUNS + 20; i++) {
			const t = performance.now();
			const { data: page, error } = await asUser.list('folder', {
				limit: 100,
				offset: (i * 100) % OBJECTS
			});
			if (error || page.length !== 100) throw error ?? new Error(`listed ${page.length}`);
			if (i >= 20) listTimes.push(performance.now() - t);
		}
		const list = summarize(listTimes);
		const rssAfter = await rssMb(child.pid!);

		const mbps = (millis: number) => (MB / (millis / 1000)).toFixed(0);
		const upRatio = median(up.fs) / median(up.storage);
		const md5Ratio = median(up.fs) / median(up.md5);
		const downRatio = median(down.fs) / median(down.storage);
		console.log(`\nStorage (${MB} MB file, ${ROUNDS} rounds, medians)`);
		console.log(
			`  upload:   fs to a new file ${ms(median(up.fs))} (${mbps(median(up.fs))} MB/s), storage to a new object ${ms(median(up.storage))} (${mbps(median(up.storage))} MB/s): ${upRatio.toFixed(2)}× (goal ≥ 0.5×), ETags ${etagAlgorithm(process.env.STORAGE_FILE_ETAG_ALGORITHM)} (STORAGE_FILE_ETAG_ALGORITHM; unset: the platform's default, mtime)`
		);
		console.log(
			`  upload with MD5 ETags (STORAGE_FILE_ETAG_ALGORITHM=md5, Supabase Storage's default): storage ${ms(median(up.md5))} (${mbps(median(up.md5))} MB/s): ${md5Ratio.toFixed(2)}×`
		);
		const floor = (kind: 'drain' | 'raw' | 'disk') =>
			`${ms(median(up[kind]))} (${(median(up.fs) / median(up[kind])).toFixed(2)}×, server CPU per 100 MB ${ms((cpu[kind] / ROUNDS) * (100 / MB))})`;
		console.log(
			`  upload's floor, the same bytes only received: by a node:http server ${floor('drain')}; by a plain socket ${floor('raw')}`
		);
		console.log(
			`  the same bytes received by a bare node:http server and stored by Storage's disk code (no routing, token, transaction or row): ${floor('disk')}`
		);
		const recycled = median(up.fsRecycled);
		console.log(
			`  upload into pages just given back, both sides: fs ${ms(recycled)} (${mbps(recycled)} MB/s), storage ${ms(median(up.storageRecycled))}: ${(recycled / median(up.storageRecycled)).toFixed(2)}×; only receiving the bytes (node:http server draining them): ${ms(median(up.drainRecycled))}: ${(recycled / median(up.drainRecycled)).toFixed(2)}×`
		);
		console.log(
			`  download: fs ${ms(median(down.fs))} (${mbps(median(down.fs))} MB/s), storage ${ms(median(down.storage))} (${mbps(median(down.storage))} MB/s): ${downRatio.toFixed(2)}× (goal ≥ 0.5×)`
		);
		console.log(
			`  download read by node:http instead: storage ${ms(median(down.http))} (${mbps(median(down.http))} MB/s): ${(median(down.fs) / median(down.http)).toFixed(2)}×`
		);
		console.log(
			`  list a folder of ${OBJECTS.toLocaleString('en-US')} (100 per page, under RLS): p50 ${ms(list.p50)}, p95 ${ms(list.p95)} (goal p95 ≤ 50 ms)`
		);
		const per100 = (total: number) => ms((total / ROUNDS) * (100 / MB));
		console.log(
			`  storage process CPU per 100 MB: upload ${per100(cpu.up)} (md5 ETags: ${per100(cpu.upMd5)}), download ${per100(cpu.down)}`
		);
		console.log(
			`  client (this process) CPU per 100 MB: upload ${per100(cpu.clientUp)}, download ${per100(cpu.clientDown)} (node:http ${per100(cpu.clientDownHttp)})`
		);
		console.log(
			`  storage process RSS: ${rssBefore.toFixed(0)} MB before, ${rssAfterTransfers.toFixed(0)} MB after ${(ROUNDS * 9 + 1) * MB} MB moved through it, ${rssAfter.toFixed(0)} MB at the end`
		);
	} finally {
		// The child lets go of Postgres before Postgres stops.
		const exited = child.exitCode === null ? once(child, 'exit') : Promise.resolve();
		child.kill('SIGTERM');
		await exited;
		await rm(dir, { recursive: true, force: true });
		await postgres.cleanup();
	}
}
