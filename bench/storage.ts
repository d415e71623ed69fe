// `npm run bench:storage`: Storage on the local platform against plain file streams.
//
// The Storage API runs in a child process of its own (so its memory is measured alone), on a
// throwaway migrated Postgres. Measured in the same run:
// - upload and download of a 100 MB file (BENCH_MB) through /storage/v1 against writing and
//   reading the same bytes with fs streams, as throughput ratios (goal ≥ 0.5× both ways),
//   BENCH_ROUNDS rounds each, interleaved, medians compared;
// - listing a folder of 10,000 objects (BENCH_OBJECTS), one page of 100 as a signed-in user
//   under an RLS policy, p50/p95 over 200 runs (goal p95 ≤ 50 ms);
// - the Storage process's resident memory before and after (flat: bytes are streamed, never
//   held whole), and its CPU time per 100 MB each way (what the machine's load moves least).
//
// Profile it with `node --cpu-prof bench/storage.ts`: the Storage process gets the same flags.
import { spawn } from 'node:child_process';
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
import { createStorageApp } from '../platform/storage/index.ts';
import { ms, startBenchDatabase, summarize } from './lib.ts';

const MB = Number(process.env.BENCH_MB ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 10_000);
const LIST_RUNS = Number(process.env.BENCH_LIST_RUNS ?? 200);

if (process.argv.includes('--serve')) {
	// The child: only the Storage API, on any free port.
	const dir = process.env.BENCH_DIR!;
	const keys = await loadOrCreateKeys(join(dir, 'keys.json'));
	const db = new pg.Pool({ connectionString: process.env.BENCH_DB_URL, max: 10 });
	const app = createStorageApp({
		db,
		keys,
		dir: join(dir, 'storage'),
		fileSizeLimit: 2 * MB * 1024 * 1024
	});
	// The bench asks the child for its CPU time around the transfers (a number the machine's
	// load moves far less than wall-clock time).
	const handle: typeof app.fetch = (request, ...rest) =>
		new URL(request.url).pathname === '/bench/cpu'
			? Response.json(process.cpuUsage())
			: app.fetch(request, ...rest);
	const server = serve({ fetch: handle, port: 0, hostname: '127.0.0.1' }, (info) => {
		console.log(`READY http://127.0.0.1:${info.port}`);
	});
	process.on('SIGTERM', () => {
		server.close();
		void db.end().then(() => process.exit(0));
	});
} else {
	await main();
}

async function rssMb(pid: number): Promise<number> {
	const status = await readFile(`/proc/${pid}/status`, 'utf8');
	return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
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
		const url = await new Promise<string>((resolve, reject) => {
			child.stdout.on('data', (chunk: Buffer) => {
				const match = /READY (\S+)/.exec(chunk.toString());
				if (match) resolve(match[1]!);
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
		const baselineFile = join(dir, 'baseline.bin');
		const drain = async (body: ReadableStream<Uint8Array>) => {
			let size = 0;
			const reader = body.getReader();
			for (let next = await reader.read(); !next.done; next = await reader.read()) {
				size += next.value.length;
			}
			return size;
		};

		// Warm both paths up once with a small file, then take the memory baseline.
		await fetch(`${api}/object/bench/warm.bin`, {
			method: 'POST',
			headers: { ...auth, 'content-type': 'application/octet-stream' },
			body: data.subarray(0, chunk)
		}).then((r) => r.arrayBuffer());
		const rssBefore = await rssMb(child.pid!);

		const cpuMs = async () => {
			const used = (await (await fetch(`${url}/bench/cpu`)).json()) as NodeJS.CpuUsage;
			return (used.user + used.system) / 1000;
		};
		const cpu = { up: 0, down: 0 };
		const up = { fs: [] as number[], storage: [] as number[] };
		const down = { fs: [] as number[], storage: [] as number[] };
		for (let round = 0; round < ROUNDS; round++) {
			let t = performance.now();
			await pipeline(chunks(), createWriteStream(baselineFile));
			up.fs.push(performance.now() - t);

			let cpuAt = await cpuMs();
			t = performance.now();
			const response = await fetch(`${api}/object/bench/big-${round}.bin`, {
				method: 'POST',
				headers: {
					...auth,
					'content-type': 'application/octet-stream',
					'content-length': String(data.length)
				},
				body: Readable.toWeb(chunks()) as ReadableStream,
				duplex: 'half'
			} as RequestInit);
			if (response.status !== 200) throw new Error(`upload: ${await response.text()}`);
			await response.arrayBuffer();
			up.storage.push(performance.now() - t);
			cpu.up += (await cpuMs()) - cpuAt;

			t = performance.now();
			let size = 0;
			for await (const part of createReadStream(baselineFile, { highWaterMark: chunk })) {
				size += (part as Buffer).length;
			}
			down.fs.push(performance.now() - t);
			if (size !== data.length) throw new Error('baseline read short');

			cpuAt = await cpuMs();
			t = performance.now();
			const download = await fetch(`${api}/object/authenticated/bench/big-${round}.bin`, {
				headers: auth
			});
			if ((await drain(download.body!)) !== data.length) throw new Error('download short');
			down.storage.push(performance.now() - t);
			cpu.down += (await cpuMs()) - cpuAt;
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
		const downRatio = median(down.fs) / median(down.storage);
		console.log(`\nStorage (${MB} MB file, ${ROUNDS} rounds, medians)`);
		console.log(
			`  upload:   fs ${ms(median(up.fs))} (${mbps(median(up.fs))} MB/s), storage ${ms(median(up.storage))} (${mbps(median(up.storage))} MB/s): ${upRatio.toFixed(2)}× (goal ≥ 0.5×)`
		);
		console.log(
			`  download: fs ${ms(median(down.fs))} (${mbps(median(down.fs))} MB/s), storage ${ms(median(down.storage))} (${mbps(median(down.storage))} MB/s): ${downRatio.toFixed(2)}× (goal ≥ 0.5×)`
		);
		console.log(
			`  list a folder of ${OBJECTS.toLocaleString('en-US')} (100 per page, under RLS): p50 ${ms(list.p50)}, p95 ${ms(list.p95)} (goal p95 ≤ 50 ms)`
		);
		console.log(
			`  storage process CPU per 100 MB: upload ${ms((cpu.up / ROUNDS) * (100 / MB))}, download ${ms((cpu.down / ROUNDS) * (100 / MB))}`
		);
		console.log(
			`  storage process RSS: ${rssBefore.toFixed(0)} MB before, ${rssAfterTransfers.toFixed(0)} MB after ${ROUNDS * 2 * MB} MB moved, ${rssAfter.toFixed(0)} MB at the end`
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
