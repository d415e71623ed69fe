// Resumable uploads over TUS with tus-js-client, the client Supabase documents: 30 MB in 6 MB
// chunks through a connection that is cut mid-way (the client resumes from the offset HEAD
// reports and the bytes arrive whole), an upload abandoned and resumed from its URL, and the
// refusals that must leave nothing on disk: another tenant's folder, the bucket's size limit
// and MIME list, an existing object without x-upsert.
//
// The protocol runs against a Storage backend made here over the real storage schema (RLS
// checked as the JWT's role, the row written under RLS at completion), so what is tested is
// the endpoint's promise: nothing accepted that the policies refuse, nothing visible before
// the last byte.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rename, mkdir, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { jwtVerify, SignJWT } from 'jose';
import type { Server } from 'node:http';
import pg from 'pg';
import { Upload, type UploadOptions } from 'tus-js-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
	resumableRoutes,
	TusError,
	type ResumableBackend,
	type UploadTarget
} from '../../platform/storage/resumable.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const MB = 1024 * 1024;
const CHUNK = 6 * MB;
const SECRET = new TextEncoder().encode(randomBytes(32).toString('hex'));

type Caller = { role: string; claims: Record<string, unknown> };

let db: TestDatabase;
let pool: pg.Pool;
let root: string;
let server: Server;
let endpoint: string;
/** The endpoint through a proxy that can cut the connection. */
let proxy: CuttingProxy;

const userA = randomUUID();
const userB = randomUUID();

async function tokenFor(sub: string): Promise<string> {
	return new SignJWT({ sub, role: 'authenticated' })
		.setProtectedHeader({ alg: 'HS256' })
		.setExpirationTime('1h')
		.sign(SECRET);
}

/** Runs `fn` as the caller, as the Storage API runs a request: its role and claims, locally. */
async function asCaller<T>(
	caller: Caller,
	fn: (client: pg.PoolClient) => Promise<T>,
	commit: boolean
): Promise<T> {
	const client = await pool.connect();
	try {
		await client.query('begin');
		await client.query(
			`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`,
			[caller.role, JSON.stringify(caller.claims)]
		);
		const result = await fn(client);
		await client.query(commit ? 'commit' : 'rollback');
		return result;
	} catch (error) {
		await client.query('rollback');
		throw error;
	} finally {
		client.release();
	}
}

function writeRow(client: pg.PoolClient, caller: Caller, target: UploadTarget, metadata: object) {
	const values = [target.bucket, target.name, caller.claims.sub ?? null, JSON.stringify(metadata)];
	return target.upsert
		? client.query(
				`insert into storage.objects (bucket_id, name, owner_id, metadata) values ($1, $2, $3, $4)
				 on conflict (bucket_id, name) do update set owner_id = excluded.owner_id, metadata = excluded.metadata`,
				values
			)
		: client.query(
				`insert into storage.objects (bucket_id, name, owner_id, metadata) values ($1, $2, $3, $4)`,
				values
			);
}

const objectPath = (bucket: string, name: string) => join(root, 'objects', bucket, name);

const backend: ResumableBackend<Caller> = {
	async caller(c: Context) {
		const token = /^Bearer (\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
		if (!token) throw new TusError(400, "headers must have required property 'authorization'");
		try {
			const { payload } = await jwtVerify(token, SECRET);
			return { role: String(payload.role), claims: payload };
		} catch {
			throw new TusError(400, 'invalid signature');
		}
	},
	async bucketLimits(bucket) {
		const { rows } = await pool.query<{
			file_size_limit: string | null;
			allowed_mime_types: string[] | null;
		}>('select file_size_limit, allowed_mime_types from storage.buckets where id = $1', [bucket]);
		if (!rows[0]) throw new TusError(404, 'Bucket not found');
		return {
			fileSizeLimit: rows[0].file_size_limit === null ? null : Number(rows[0].file_size_limit),
			allowedMimeTypes: rows[0].allowed_mime_types
		};
	},
	async canUpload(caller, target) {
		await asCaller(caller, (client) => writeRow(client, caller, target, {}), false);
	},
	async complete(caller, target, partFile) {
		await asCaller(
			caller,
			async (client) => {
				await writeRow(client, caller, target, {
					size: target.size,
					mimetype: target.contentType,
					cacheControl: target.cacheControl
				});
				await mkdir(dirname(objectPath(target.bucket, target.name)), { recursive: true });
				await rename(partFile, objectPath(target.bucket, target.name));
			},
			true
		);
	},
	toTusError(error) {
		const code = (error as { code?: string }).code;
		if (code === '42501') return new TusError(403, 'new row violates row-level security policy');
		if (code === '23505') return new TusError(409, 'The resource already exists');
		return undefined;
	}
};

/** A TCP proxy in front of the endpoint that cuts the connection once, after `cutAfter` bytes. */
type CuttingProxy = {
	url: string;
	sent: number;
	cuts: number;
	cutAfter: number;
	close(): Promise<void>;
};

async function startProxy(target: URL): Promise<CuttingProxy> {
	const state = { sent: 0, cuts: 0, cutAfter: Infinity };
	const proxyServer = net.createServer((client) => {
		const upstream = net.connect(Number(target.port), target.hostname);
		client.on('data', (chunk: Buffer) => {
			state.sent += chunk.length;
			if (state.sent >= state.cutAfter) {
				state.cutAfter = Infinity;
				state.cuts += 1;
				client.destroy();
				upstream.destroy();
				return;
			}
			upstream.write(chunk);
		});
		upstream.on('data', (chunk: Buffer) => client.write(chunk));
		client.on('close', () => upstream.destroy());
		upstream.on('close', () => client.destroy());
		client.on('error', () => {});
		upstream.on('error', () => {});
	});
	await new Promise<void>((resolve) => proxyServer.listen(0, '127.0.0.1', resolve));
	const port = (proxyServer.address() as net.AddressInfo).port;
	const proxy: CuttingProxy = Object.assign(state, {
		url: `http://127.0.0.1:${port}${target.pathname}`,
		close: () =>
			new Promise<void>((resolve) => {
				proxyServer.close(() => resolve());
			})
	});
	return proxy;
}

beforeAll(async () => {
	db = await createTestDatabase();
	pool = new pg.Pool({ connectionString: db.url, max: 4 });
	await pool.query(`
		insert into storage.buckets (id, name, file_size_limit, allowed_mime_types)
		values ('uploads', 'uploads', null, null),
		       ('small', 'small', ${MB}, array['image/*', 'application/pdf']);
		create policy "Users upload into their own folder" on storage.objects for insert to authenticated
		  with check ((storage.foldername(name))[1] = auth.uid()::text);
		create policy "Users read their own folder" on storage.objects for select to authenticated
		  using ((storage.foldername(name))[1] = auth.uid()::text);
		create policy "Users replace files in their own folder" on storage.objects for update to authenticated
		  using ((storage.foldername(name))[1] = auth.uid()::text);
	`);
	root = await mkdtemp(join(tmpdir(), 'gd-resumable-'));
	const app = new Hono().route(
		'/storage/v1/upload/resumable',
		resumableRoutes(backend, { folder: join(root, 'resumable'), fileSizeLimit: 100 * MB })
	);
	server = createAdaptorServer({ fetch: app.fetch }) as Server;
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	endpoint = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/storage/v1/upload/resumable`;
	proxy = await startProxy(new URL(endpoint));
});

afterAll(async () => {
	await proxy?.close();
	server?.closeAllConnections();
	await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
	await pool?.end();
	await db?.drop();
	await rm(root, { recursive: true, force: true });
});

beforeEach(() => {
	proxy.cutAfter = Infinity;
	proxy.sent = 0;
	proxy.cuts = 0;
});

/** Part files and upload records still on disk. */
const inProgress = async () => readdir(join(root, 'resumable')).catch(() => [] as string[]);
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function options(
	sub: string,
	metadata: Record<string, string>,
	extra: Partial<UploadOptions> = {}
): Promise<UploadOptions> {
	return {
		endpoint,
		chunkSize: CHUNK,
		retryDelays: [0, 200, 500],
		uploadDataDuringCreation: true,
		removeFingerprintOnSuccess: true,
		headers: { authorization: `Bearer ${await tokenFor(sub)}` },
		metadata: { contentType: 'application/octet-stream', cacheControl: '3600', ...metadata },
		...extra
	};
}

function run(upload: Upload): Promise<void> {
	return new Promise((resolve, reject) => {
		upload.options.onSuccess = () => resolve();
		upload.options.onError = (error) => reject(error);
		upload.start();
	});
}

async function objectRow(bucket: string, name: string) {
	const { rows } = await pool.query<{ owner_id: string; metadata: Record<string, unknown> }>(
		'select owner_id, metadata from storage.objects where bucket_id = $1 and name = $2',
		[bucket, name]
	);
	return rows[0];
}

describe('a 30 MB upload in 6 MB chunks', () => {
	it('survives a connection cut mid-way: it resumes from the reported offset and the bytes arrive whole', async () => {
		const bytes = randomBytes(30 * MB);
		const name = `${userA}/video.bin`;
		proxy.cutAfter = 14 * MB; // inside the third chunk
		const requests: Array<{ method: string; offset: number; status: number }> = [];
		const upload = new Upload(
			bytes,
			await options(
				userA,
				{ bucketName: 'uploads', objectName: name },
				{
					endpoint: proxy.url,
					onAfterResponse: (req, res) => {
						requests.push({
							method: req.getMethod(),
							offset: Number(res.getHeader('Upload-Offset') ?? req.getHeader('Upload-Offset')),
							status: res.getStatus()
						});
					}
				}
			)
		);
		await run(upload);

		expect(proxy.cuts).toBe(1);
		// Resumed, not restarted: one creation, then HEAD asked where to go on, and the next
		// chunk started there, past the two chunks that had arrived.
		expect(requests.filter((r) => r.method === 'POST')).toHaveLength(1);
		const head = requests.findIndex((r) => r.method === 'HEAD');
		expect(head).toBeGreaterThan(0);
		expect(requests[head]!.offset).toBeGreaterThanOrEqual(2 * CHUNK);
		// A restart would send the 14 MB before the cut and then all 30 MB again.
		expect(proxy.sent).toBeLessThan(44 * MB);
		const stored = await readFile(objectPath('uploads', name));
		expect(stored.length).toBe(bytes.length);
		expect(sha(stored)).toBe(sha(bytes));
		expect(await objectRow('uploads', name)).toMatchObject({
			owner_id: userA,
			metadata: {
				size: 30 * MB,
				mimetype: 'application/octet-stream',
				cacheControl: 'max-age=3600'
			}
		});
		expect(await inProgress()).toEqual([]);
	});

	it('can be abandoned and resumed later from its URL; nothing is visible before the last byte', async () => {
		const bytes = randomBytes(30 * MB);
		const name = `${userA}/later.bin`;
		const first = new Upload(
			bytes,
			await options(userA, { bucketName: 'uploads', objectName: name })
		);
		await new Promise<void>((resolve, reject) => {
			first.options.onError = reject;
			first.options.onChunkComplete = (_chunk, accepted) => {
				if (accepted >= 2 * CHUNK) void first.abort().then(resolve, reject);
			};
			first.start();
		});
		const url = first.url!;
		expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/storage\/v1\/upload\/resumable\/[\w-]+$/);

		const head = await fetch(url, {
			method: 'HEAD',
			headers: { 'tus-resumable': '1.0.0', authorization: `Bearer ${await tokenFor(userA)}` }
		});
		expect(head.status).toBe(200);
		const offset = Number(head.headers.get('upload-offset'));
		expect(offset).toBeGreaterThanOrEqual(2 * CHUNK);
		expect(offset).toBeLessThan(bytes.length);
		expect(head.headers.get('upload-length')).toBe(String(bytes.length));
		// Half an upload is no object: no row, no bytes in the object store.
		expect(await objectRow('uploads', name)).toBeUndefined();
		await expect(readFile(objectPath('uploads', name))).rejects.toThrow();

		const offsets: number[] = [];
		const second = new Upload(
			bytes,
			await options(
				userA,
				{ bucketName: 'uploads', objectName: name },
				{
					uploadUrl: url,
					onBeforeRequest: (req) => {
						if (req.getMethod() === 'PATCH') offsets.push(Number(req.getHeader('Upload-Offset')));
					}
				}
			)
		);
		await run(second);
		expect(offsets[0]).toBe(offset);
		expect(sha(await readFile(objectPath('uploads', name)))).toBe(sha(bytes));
		expect(await inProgress()).toEqual([]);
	});
});

describe('refusals leave nothing on disk', () => {
	it("refuses another user's folder at creation (RLS): 403, no part file, no row", async () => {
		const name = `${userB}/not-mine.bin`;
		const upload = new Upload(
			randomBytes(MB),
			await options(userA, { bucketName: 'uploads', objectName: name }, { retryDelays: [] })
		);
		await expect(run(upload)).rejects.toThrow(/response code: 403.*row-level security/s);
		expect(await inProgress()).toEqual([]);
		expect(await objectRow('uploads', name)).toBeUndefined();
	});

	it('checks the bucket size limit against Upload-Length and the MIME list against contentType', async () => {
		const tooBig = new Upload(
			randomBytes(2 * MB),
			await options(
				userA,
				{ bucketName: 'small', objectName: `${userA}/big.png`, contentType: 'image/png' },
				{ retryDelays: [] }
			)
		);
		await expect(run(tooBig)).rejects.toThrow(/response code: 413.*Maximum size exceeded/s);

		const wrongType = new Upload(
			randomBytes(1000),
			await options(
				userA,
				{ bucketName: 'small', objectName: `${userA}/a.zip`, contentType: 'application/zip' },
				{ retryDelays: [] }
			)
		);
		await expect(run(wrongType)).rejects.toThrow(
			/response code: 415.*mime type application\/zip is not supported/s
		);

		const unknownBucket = new Upload(
			randomBytes(10),
			await options(
				userA,
				{ bucketName: 'nope', objectName: `${userA}/a.bin` },
				{ retryDelays: [] }
			)
		);
		await expect(run(unknownBucket)).rejects.toThrow(/response code: 404.*Bucket not found/s);
		expect(await inProgress()).toEqual([]);

		const fits = new Upload(
			randomBytes(MB),
			await options(userA, {
				bucketName: 'small',
				objectName: `${userA}/ok.png`,
				contentType: 'image/png'
			})
		);
		await run(fits);
		expect((await objectRow('small', `${userA}/ok.png`))?.metadata).toMatchObject({ size: MB });
	});

	it('refuses to replace an object without x-upsert (409) and replaces it with x-upsert: true', async () => {
		const name = `${userA}/report.pdf`;
		const first = randomBytes(100_000);
		await run(new Upload(first, await options(userA, { bucketName: 'uploads', objectName: name })));

		const again = new Upload(
			randomBytes(100_000),
			await options(userA, { bucketName: 'uploads', objectName: name }, { retryDelays: [] })
		);
		await expect(run(again)).rejects.toThrow(/response code: 409.*already exists/s);
		expect(sha(await readFile(objectPath('uploads', name)))).toBe(sha(first));
		expect(await inProgress()).toEqual([]);

		const second = randomBytes(7 * MB);
		const upsertOptions = await options(userA, { bucketName: 'uploads', objectName: name });
		upsertOptions.headers = { ...upsertOptions.headers, 'x-upsert': 'true' };
		await run(new Upload(second, upsertOptions));
		expect(sha(await readFile(objectPath('uploads', name)))).toBe(sha(second));
		expect((await objectRow('uploads', name))?.metadata).toMatchObject({ size: 7 * MB });
	});
});

describe('the protocol’s own refusals', () => {
	const post = async (headers: Record<string, string>) =>
		fetch(endpoint, {
			method: 'POST',
			headers: { authorization: `Bearer ${await tokenFor(userA)}`, ...headers }
		});
	const meta = (fields: Record<string, string>) =>
		Object.entries(fields)
			.map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
			.join(',');

	it('answers in @tus/server’s words', async () => {
		let res = await post({
			'upload-length': '10',
			'upload-metadata': meta({ bucketName: 'uploads', objectName: `${userA}/x` })
		});
		expect([res.status, await res.text()]).toEqual([412, 'Unsupported version']);

		res = await post({
			'tus-resumable': '1.0.0',
			'upload-metadata': meta({ bucketName: 'uploads', objectName: `${userA}/x` })
		});
		expect([res.status, await res.text()]).toEqual([
			400,
			'Upload-Length or Upload-Defer-Length header required'
		]);

		res = await post({ 'tus-resumable': '1.0.0', 'upload-length': '10' });
		expect([res.status, await res.text()]).toEqual([400, 'Metadata header is required']);

		res = await post({
			'tus-resumable': '1.0.0',
			'upload-length': '10',
			'upload-metadata': 'bucketName !!notbase64'
		});
		expect(res.status).toBe(400);

		const unknown = Buffer.from(`uploads/${userA}/x/${randomUUID()}`).toString('base64url');
		res = await fetch(`${endpoint}/${unknown}`, {
			method: 'HEAD',
			headers: { 'tus-resumable': '1.0.0', authorization: `Bearer ${await tokenFor(userA)}` }
		});
		expect(res.status).toBe(404);
		expect(await inProgress()).toEqual([]);
	});

	it('refuses a chunk at the wrong offset (409) and a chunk past the length (413)', async () => {
		const res = await post({
			'tus-resumable': '1.0.0',
			'upload-length': '10',
			'upload-metadata': meta({ bucketName: 'uploads', objectName: `${userA}/ten.bin` })
		});
		expect(res.status).toBe(201);
		const url = res.headers.get('location')!;
		const patch = async (offset: number, body: Buffer, sub = userA) =>
			fetch(url, {
				method: 'PATCH',
				headers: {
					'tus-resumable': '1.0.0',
					'content-type': 'application/offset+octet-stream',
					'upload-offset': String(offset),
					authorization: `Bearer ${await tokenFor(sub)}`
				},
				body: new Uint8Array(body)
			});
		// Every chunk is checked against the caller's rights: B cannot write into A's upload.
		let r = await patch(0, Buffer.from('evil'), userB);
		expect([r.status, await r.text()]).toEqual([403, 'new row violates row-level security policy']);
		r = await patch(4, Buffer.from('abcd'));
		expect([r.status, await r.text()]).toEqual([409, 'Upload-Offset conflict']);
		r = await patch(0, Buffer.from('abcd'));
		expect([r.status, r.headers.get('upload-offset')]).toEqual([204, '4']);
		r = await patch(4, Buffer.from('efghijklmnop'));
		expect(r.status).toBe(413);
		r = await patch(4, Buffer.from('efghij'));
		expect([r.status, r.headers.get('upload-offset'), r.headers.get('tus-complete')]).toEqual([
			204,
			'10',
			'1'
		]);
		expect((await readFile(objectPath('uploads', `${userA}/ten.bin`))).toString()).toBe(
			'abcdefghij'
		);

		// A finished upload is no longer an upload: its URL is gone.
		const gone = await fetch(url, {
			method: 'HEAD',
			headers: { 'tus-resumable': '1.0.0', authorization: `Bearer ${await tokenFor(userB)}` }
		});
		expect(gone.status).toBe(404);
	});

	it('DELETE abandons an upload and its bytes; only someone who may write the object can', async () => {
		const res = await post({
			'tus-resumable': '1.0.0',
			'upload-length': '100',
			'upload-metadata': meta({ bucketName: 'uploads', objectName: `${userA}/drop.bin` })
		});
		const url = res.headers.get('location')!;
		const remove = async (sub: string) =>
			fetch(url, {
				method: 'DELETE',
				headers: { 'tus-resumable': '1.0.0', authorization: `Bearer ${await tokenFor(sub)}` }
			});
		expect((await remove(userB)).status).toBe(403);
		expect(await inProgress()).toHaveLength(2);
		expect((await remove(userA)).status).toBe(204);
		expect(await inProgress()).toEqual([]);
		expect((await remove(userA)).status).toBe(404);
	});
});
