// Uploads straight from the browser to Storage with the person's own token,
// one request per file with its progress (XMLHttpRequest reports upload
// progress; fetch, which storage-js uses, does not), cancel and retry. The
// request is the one storage-js's `upload` sends (POST /storage/v1/object/…,
// the file as the body, `x-metadata` carrying the image size), so Storage
// checks it against the same policies.
//
// Files over RESUMABLE_THRESHOLD go through Storage's resumable uploads instead
// (TUS at /storage/v1/upload/resumable, 6 MB chunks, as Supabase documents for
// large files): a dropped connection is retried from the last chunk the server
// kept, and Retry after a failure resumes where the upload stopped rather than
// starting again. Cancel abandons the upload on the server too (its chunks are
// deleted); an upload nobody finishes expires on the server after a day.
//
// A resumable upload also survives a page reload or a closed tab: tus-js-client
// keeps its server URL in localStorage under a fingerprint of the file and its
// destination, and choosing the same file for the same folder again asks the
// server how far it got and sends only the rest. The fingerprint samples the
// file's bytes (its first and last MB) rather than trusting its name and date
// alone, so an edited file of the same name and size starts afresh instead of
// being stitched onto the old one's parts.
import { DetailedError, defaultOptions, Upload as TusUpload } from 'tus-js-client';
import type { StorageSession } from './storage-client.ts';
import { RESUMABLE_THRESHOLD, type Bucket } from './paths.ts';

export type UploadStatus = 'waiting' | 'uploading' | 'done' | 'failed' | 'cancelled';

export class Upload {
	readonly id = crypto.randomUUID();
	status = $state<UploadStatus>('waiting');
	/** Bytes sent so far. */
	loaded = $state(0);
	error = $state<string | null>(null);
	#request: XMLHttpRequest | null = null;
	/** The resumable upload, kept after a failure so that Retry resumes it. */
	#tus: TusUpload | null = null;
	/** Ends the pending resumable send (cancel, success or failure). */
	#settle: (() => void) | null = null;
	/** Cancelled once: a retry starts afresh rather than resuming what was abandoned. */
	#abandoned = false;

	constructor(
		readonly file: File,
		readonly bucket: Bucket,
		/** The Storage object name the file goes to. */
		readonly objectName: string,
		readonly displayName: string
	) {}

	get fraction(): number {
		return this.file.size === 0 ? (this.status === 'done' ? 1 : 0) : this.loaded / this.file.size;
	}

	/** Whether the file goes in resumable chunks (large files) rather than one request. */
	get resumable(): boolean {
		return this.file.size > RESUMABLE_THRESHOLD;
	}

	cancel(): void {
		if (this.status === 'waiting' || this.status === 'uploading') {
			this.#request?.abort();
			// Abandoned on the server too, so its chunks do not wait there for a day.
			void this.#tus?.abort(true).catch(() => {});
			this.#tus = null;
			this.#abandoned = true;
			this.status = 'cancelled';
			this.#settle?.();
		}
	}

	/** Sends the file; resolves when it is stored, refused, failed or cancelled. */
	async send(session: StorageSession): Promise<void> {
		if (this.status === 'cancelled') return;
		this.status = 'uploading';
		// A resumable upload carries on from what the server has (its progress says so).
		if (!this.resumable) this.loaded = 0;
		this.error = null;
		let token: string;
		try {
			token = await session.token();
		} catch (error) {
			this.fail((error as Error).message);
			return;
		}
		if (this.status !== 'uploading') return;
		const metadata = await imageSize(this.file);
		if (this.status !== 'uploading') return;
		if (this.resumable) {
			await this.#sendResumable(session, metadata);
			return;
		}
		const path = [this.bucket, ...this.objectName.split('/')].map(encodeURIComponent).join('/');
		await new Promise<void>((done) => {
			const request = new XMLHttpRequest();
			this.#request = request;
			request.open('POST', `${session.url}/storage/v1/object/${path}`);
			request.setRequestHeader('authorization', `Bearer ${token}`);
			request.setRequestHeader('apikey', session.anonKey);
			request.setRequestHeader('x-upsert', 'false');
			request.setRequestHeader('cache-control', 'max-age=3600');
			request.setRequestHeader('content-type', this.file.type || 'application/octet-stream');
			if (metadata) request.setRequestHeader('x-metadata', btoa(JSON.stringify(metadata)));
			request.upload.onprogress = (event) => {
				if (event.lengthComputable) this.loaded = event.loaded;
			};
			request.onload = () => {
				if (request.status >= 200 && request.status < 300) {
					this.loaded = this.file.size;
					this.status = 'done';
				} else {
					this.fail(refusal(request.status, request.responseText));
				}
				done();
			};
			request.onerror = () => {
				this.fail('The connection dropped. Check your network and retry.');
				done();
			};
			request.onabort = () => {
				this.status = 'cancelled';
				done();
			};
			request.send(this.file);
		});
		this.#request = null;
	}

	/**
	 * Sends the file over TUS as storage-js's documentation does with tus-js-client: the
	 * person's token on every request (fetched afresh, so an hour-long upload outlives one
	 * token), the object's bucket, name and type in Upload-Metadata, 6 MB chunks.
	 */
	async #sendResumable(
		session: StorageSession,
		metadata: { width: number; height: number } | null
	): Promise<void> {
		// Retry after a failure: the same upload knows its URL and asks the server how far
		// it got (HEAD) before sending the rest. After a page reload, the URL kept under
		// the file's fingerprint does the same.
		if (!this.#tus) {
			const fingerprint = await fingerprintOf(this.file, this.bucket, this.objectName);
			if (this.status !== 'uploading') return;
			const tus = new TusUpload(this.file, {
				endpoint: `${session.url}/storage/v1/upload/resumable`,
				chunkSize: RESUMABLE_THRESHOLD,
				retryDelays: [0, 1000, 3000, 5000],
				uploadDataDuringCreation: true,
				storeFingerprintForResuming: true,
				removeFingerprintOnSuccess: true,
				fingerprint: () => Promise.resolve(fingerprint),
				headers: { apikey: session.anonKey, 'x-upsert': 'false' },
				metadata: {
					bucketName: this.bucket,
					objectName: this.objectName,
					contentType: this.file.type || 'application/octet-stream',
					cacheControl: '3600',
					...(metadata ? { metadata: JSON.stringify(metadata) } : {})
				},
				onBeforeRequest: async (request) => {
					request.setHeader('authorization', `Bearer ${await session.token()}`);
				},
				onProgress: (sent) => {
					if (this.status === 'uploading') this.loaded = sent;
				},
				onSuccess: () => {
					this.#tus = null;
					this.loaded = this.file.size;
					this.status = 'done';
					this.#settle?.();
				},
				onError: (error) => {
					if (this.status !== 'uploading') return;
					const response = error instanceof DetailedError ? error.originalResponse : null;
					this.fail(
						response
							? refusal(response.getStatus(), response.getBody() ?? '')
							: 'The connection dropped. Check your network and retry: the upload continues where it stopped.'
					);
					this.#settle?.();
				}
			});
			// The newest unfinished upload of this file to this object, if a page load left one;
			// after a cancel, none: what was abandoned is forgotten (its server side is deleted
			// by the cancel, perhaps not yet) and the upload starts afresh.
			const previous = await tus.findPreviousUploads().catch(() => []);
			if (this.#abandoned) {
				this.#abandoned = false;
				await Promise.all(
					previous.map((p) => defaultOptions.urlStorage.removeUpload(p.urlStorageKey))
				).catch(() => {});
			} else {
				const latest = previous.sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0];
				if (latest) tus.resumeFromPreviousUpload(latest);
			}
			if (this.status !== 'uploading') return;
			this.#tus = tus;
		}
		const tus = this.#tus;
		await new Promise<void>((done) => {
			this.#settle = () => {
				this.#settle = null;
				done();
			};
			tus.start();
		});
	}

	private fail(message: string): void {
		this.status = 'failed';
		this.error = message;
	}
}

/**
 * What identifies a resumable upload across page loads: the destination, the
 * size and a digest of the file's first and last MB (its date where the page
 * cannot hash: crypto.subtle exists only on https and localhost). No "::" in
 * it: tus-js-client's storage keys use that as a separator.
 */
async function fingerprintOf(file: File, bucket: string, objectName: string): Promise<string> {
	const parts = [bucket, objectName, String(file.size)];
	const MB = 1024 * 1024;
	try {
		const sample = await new Blob([
			file.slice(0, MB),
			file.slice(Math.max(MB, file.size - MB))
		]).arrayBuffer();
		const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', sample));
		parts.push(Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''));
	} catch {
		parts.push(String(file.lastModified));
	}
	return `growthdesk|${parts.join('|')}`;
}

/** An upload that stopped before it finished (a reload, a closed tab), kept by the browser. */
export type UnfinishedUpload = {
	key: string;
	bucket: string;
	objectName: string;
	name: string;
	size: number | null;
	/** When it started (ms since the epoch). */
	startedAt: number;
};

/**
 * The organization's resumable uploads this browser started and never finished,
 * newest first: choosing the same file for the same folder again continues them.
 */
export async function unfinishedUploads(orgId: string): Promise<UnfinishedUpload[]> {
	const all = await defaultOptions.urlStorage.findAllUploads().catch(() => []);
	return all
		.filter(
			(u) =>
				u.urlStorageKey.startsWith('tus::growthdesk|') &&
				u.metadata.objectName?.startsWith(`${orgId}/`)
		)
		.map((u) => ({
			key: u.urlStorageKey,
			bucket: u.metadata.bucketName ?? '',
			objectName: u.metadata.objectName!,
			name: u.metadata.objectName!.split('/').pop() ?? '',
			size: u.size,
			startedAt: Date.parse(u.creationTime) || 0
		}))
		.sort((a, b) => b.startedAt - a.startedAt);
}

/** Forgets an unfinished upload here (the server drops its parts when it expires, after a day). */
export function forgetUpload(key: string): Promise<void> {
	return defaultOptions.urlStorage.removeUpload(key);
}

/** The image's size, sent along so the catalogue has it (null for anything else). */
async function imageSize(file: File): Promise<{ width: number; height: number } | null> {
	if (!file.type.startsWith('image/') || typeof createImageBitmap !== 'function') return null;
	try {
		const bitmap = await createImageBitmap(file);
		const size = { width: bitmap.width, height: bitmap.height };
		bitmap.close();
		return size;
	} catch {
		return null;
	}
}

/** Storage's refusal, in the person's words. */
export function refusal(status: number, body: string): string {
	let parsed: { error?: string; message?: string; statusCode?: string } = {};
	try {
		parsed = JSON.parse(body) as typeof parsed;
	} catch {
		// Not JSON: resumable uploads answer in plain text.
		if (body.trim()) parsed = { message: body.trim().slice(0, 200) };
	}
	const code = `${parsed.error ?? ''} ${parsed.message ?? ''}`.toLowerCase();
	if (status === 413 || code.includes('too large') || code.includes('maximum allowed size'))
		return 'This file is larger than this space allows.';
	if (status === 415 || code.includes('mime')) return 'This type of file cannot be stored here.';
	if (status === 409 || code.includes('duplicate') || code.includes('already exists'))
		return 'A file with this name is already here.';
	if (status === 401) return 'Your session has ended. Sign in again, then retry.';
	if (status === 403 || code.includes('row-level security') || code.includes('unauthorized'))
		return 'You do not have permission to upload here.';
	return parsed.message
		? `Upload failed (error ${status}): ${parsed.message}`
		: `Upload failed (error ${status}).`;
}

/**
 * A queue that sends up to `parallel` uploads at a time and reports each one
 * stored (the page refreshes its list; the picker returns the file).
 */
export class UploadQueue {
	items = $state<Upload[]>([]);
	#running = 0;

	constructor(
		private readonly session: () => StorageSession,
		private readonly onStored: (upload: Upload) => void | Promise<void>,
		private readonly parallel = 3
	) {}

	get active(): boolean {
		return this.items.some((u) => u.status === 'waiting' || u.status === 'uploading');
	}

	add(uploads: Upload[]): void {
		this.items = [...this.items, ...uploads];
		this.#pump();
	}

	retry(upload: Upload): void {
		upload.status = 'waiting';
		upload.error = null;
		if (!upload.resumable) upload.loaded = 0;
		this.#pump();
	}

	/** Forgets finished and cancelled uploads. */
	clearFinished(): void {
		this.items = this.items.filter((u) => u.status === 'waiting' || u.status === 'uploading');
	}

	#pump(): void {
		while (this.#running < this.parallel) {
			const next = this.items.find((u) => u.status === 'waiting');
			if (!next) return;
			this.#running += 1;
			next.status = 'uploading';
			void next
				.send(this.session())
				.then(async () => {
					if (next.status === 'done') await this.onStored(next);
				})
				.finally(() => {
					this.#running -= 1;
					this.#pump();
				});
		}
	}
}
