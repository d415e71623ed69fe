// Uploads straight from the browser to Storage with the person's own token,
// one request per file with its progress (XMLHttpRequest reports upload
// progress; fetch, which storage-js uses, does not), cancel and retry. The
// request is the one storage-js's `upload` sends (POST /storage/v1/object/…,
// the file as the body, `x-metadata` carrying the image size), so Storage
// checks it against the same policies.
//
// Files over RESUMABLE_THRESHOLD would go through TUS resumable uploads; until
// the platform's /storage/v1/upload/resumable lands they use this same request
// (a dropped connection restarts them; retry does that).
import type { StorageSession } from './storage-client.ts';
import { type Bucket } from './paths.ts';

export type UploadStatus = 'waiting' | 'uploading' | 'done' | 'failed' | 'cancelled';

export class Upload {
	readonly id = crypto.randomUUID();
	status = $state<UploadStatus>('waiting');
	/** Bytes sent so far. */
	loaded = $state(0);
	error = $state<string | null>(null);
	#request: XMLHttpRequest | null = null;

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

	cancel(): void {
		if (this.status === 'waiting' || this.status === 'uploading') {
			this.#request?.abort();
			this.status = 'cancelled';
		}
	}

	/** Sends the file; resolves when it is stored, refused, failed or cancelled. */
	async send(session: StorageSession): Promise<void> {
		if (this.status === 'cancelled') return;
		this.status = 'uploading';
		this.loaded = 0;
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

	private fail(message: string): void {
		this.status = 'failed';
		this.error = message;
	}
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
		// Not JSON: fall back on the status alone.
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
	return parsed.message ? `Upload failed: ${parsed.message}` : `Upload failed (error ${status}).`;
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
		upload.loaded = 0;
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
