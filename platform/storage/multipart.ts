// A streaming multipart/form-data reader for uploads: the text fields before the file
// (storage-js sends cacheControl and metadata first) are collected, then the first file part
// is handed out as a stream while the rest of the body is still arriving, so a large upload is
// never held in memory. Whatever follows the file is read and ignored, as Storage does.
import { PassThrough, type Readable } from 'node:stream';
import { ERRORS } from './errors.ts';

export type MultipartUpload = {
	fields: Record<string, string>;
	file: { stream: Readable; filename: string; mimeType: string } | null;
};

const MAX_FIELD_BYTES = 2 << 20;
const MAX_HEADER_BYTES = 16 << 10;
const MAX_FIELDS = 10;

/** The boundary of a multipart/form-data content type, or null. */
export function boundaryOf(contentType: string): string | null {
	const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
	return match ? (match[1] ?? match[2] ?? null) : null;
}

const malformed = (message: string) => ERRORS.noContentProvided(message);

export function readMultipart(body: Readable, boundary: string): Promise<MultipartUpload> {
	const delimiter = Buffer.from(`\r\n--${boundary}`);
	// Not destroyed when we stop reading: the server then drains the rest and still answers.
	const iterator = body.iterator({ destroyOnReturn: false }) as AsyncIterator<Buffer>;
	const release = async () => {
		await iterator.return?.();
		body.resume();
	};
	// The first boundary has no CRLF before it; pretend it has.
	let buf: Buffer = Buffer.from('\r\n');
	let ended = false;

	async function more(): Promise<boolean> {
		if (ended) return false;
		const next = await iterator.next();
		if (next.done) {
			ended = true;
			return false;
		}
		buf = buf.length ? Buffer.concat([buf, next.value]) : next.value;
		return true;
	}

	/** Reads up to the next delimiter, passing data to `sink`; false when the body ended first. */
	async function untilDelimiter(sink: (data: Buffer) => Promise<void> | void): Promise<boolean> {
		for (;;) {
			const at = buf.indexOf(delimiter);
			if (at !== -1) {
				if (at > 0) await sink(buf.subarray(0, at));
				buf = buf.subarray(at + delimiter.length);
				return true;
			}
			// Keep what could be the start of a delimiter split across chunks.
			const keep = Math.min(buf.length, delimiter.length - 1);
			if (buf.length > keep) {
				await sink(buf.subarray(0, buf.length - keep));
				buf = buf.subarray(buf.length - keep);
			}
			if (!(await more())) return false;
		}
	}

	/** After a delimiter: the part's headers, or null at the closing `--`. */
	async function partHeaders(): Promise<Record<string, string> | null> {
		while (buf.length < 2) if (!(await more())) throw malformed('Unexpected end of form');
		if (buf[0] === 0x2d && buf[1] === 0x2d) return null;
		for (;;) {
			const end = buf.indexOf('\r\n\r\n');
			if (end !== -1) {
				const lines = buf.subarray(0, end).toString('utf8').split('\r\n').slice(1);
				buf = buf.subarray(end + 4);
				const headers: Record<string, string> = {};
				for (const line of lines) {
					const colon = line.indexOf(':');
					if (colon > 0)
						headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
				}
				return headers;
			}
			if (buf.length > MAX_HEADER_BYTES) throw malformed('Malformed part header');
			if (!(await more())) throw malformed('Unexpected end of form');
		}
	}

	async function drainRest() {
		while (await more()) buf = Buffer.alloc(0);
	}

	const main = async (): Promise<MultipartUpload> => {
		const fields: Record<string, string> = {};
		// Anything before the first boundary is a preamble.
		if (!(await untilDelimiter(() => {}))) throw malformed('Multipart: Boundary not found');
		for (let count = 0; ; count++) {
			const headers = await partHeaders();
			if (!headers) {
				await drainRest();
				return { fields, file: null };
			}
			const disposition = headers['content-disposition'] ?? '';
			const name = /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? '';
			const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
			if (filename !== undefined) {
				const stream = new PassThrough({ highWaterMark: 1 << 20 });
				// A cut-off body can fail the stream before the upload starts reading it (RLS is
				// asked first); the error stays on the stream and fails that read instead.
				stream.on('error', () => {});
				void pumpFile(stream);
				return {
					fields,
					file: {
						stream,
						filename,
						mimeType: headers['content-type'] || 'application/octet-stream'
					}
				};
			}
			if (count >= MAX_FIELDS) throw malformed('Too many fields');
			const parts: Buffer[] = [];
			let size = 0;
			const complete = await untilDelimiter((data) => {
				size += data.length;
				if (size > MAX_FIELD_BYTES) throw ERRORS.entityTooLarge(undefined, 'field');
				parts.push(Buffer.from(data));
			});
			if (!complete) throw malformed('Unexpected end of form');
			fields[name] = Buffer.concat(parts).toString('utf8');
		}
	};
	return main().catch(async (error: unknown) => {
		await release();
		throw error;
	});

	async function pumpFile(out: PassThrough) {
		try {
			const complete = await untilDelimiter(async (data) => {
				if (out.destroyed) throw new Error('upload abandoned');
				if (!out.write(data)) await drained(out);
			});
			if (!complete) throw malformed('Unexpected end of form');
			out.end();
			await drainRest();
		} catch (error) {
			if (!out.destroyed) out.destroy(error as Error);
			await release();
		}
	}
}

function drained(stream: PassThrough): Promise<void> {
	return new Promise((resolve) => {
		const done = () => {
			stream.off('drain', done);
			stream.off('close', done);
			resolve();
		};
		stream.on('drain', done);
		stream.on('close', done);
	});
}
