// The TUS 1.0.0 headers Storage's resumable endpoint reads and writes, and its upload ids.
//
// tus-js-client (what Supabase documents for resumable uploads) sends `Upload-Metadata` with
// bucketName, objectName, contentType, cacheControl and optionally metadata (user metadata
// as JSON), each base64. Storage names an upload `<bucket>/<object>/<version>` and puts it in
// the upload URL base64url-encoded, so the URL alone says what is being uploaded.
import { TusError } from './errors.ts';

export const TUS_VERSION = '1.0.0';
export const TUS_EXTENSIONS = 'creation,creation-with-upload,termination,expiration';

/** @tus/server's words for a malformed Upload-Metadata header. */
const INVALID_METADATA =
	'Upload-Metadata is invalid. It MUST consist of one or more comma-separated key-value pairs. The key and value MUST be separated by a space. The key MUST NOT contain spaces and commas and MUST NOT be empty. The key SHOULD be ASCII encoded and the value MUST be Base64 encoded. All keys MUST be unique';

/** Parses `key base64,key base64,key`: tus's Upload-Metadata. Refuses a malformed header. */
export function parseUploadMetadata(header: string | undefined): Record<string, string | null> {
	const metadata: Record<string, string | null> = {};
	if (header === undefined || header.trim() === '') return metadata;
	for (const pair of header.split(',')) {
		const [key, value, ...rest] = pair.trim().split(' ');
		if (!key || rest.length > 0 || !/^[\x21-\x7e]+$/.test(key) || key in metadata) {
			throw new TusError(400, INVALID_METADATA);
		}
		if (value === undefined || value === '') {
			metadata[key] = null;
			continue;
		}
		if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
			throw new TusError(400, INVALID_METADATA);
		}
		metadata[key] = Buffer.from(value, 'base64').toString('utf8');
	}
	return metadata;
}

/** A non-negative whole number header (Upload-Length, Upload-Offset), or undefined when absent. */
export function readSize(name: string, value: string | undefined): number | undefined {
	if (value === undefined) return undefined;
	if (!/^\d{1,16}$/.test(value.trim())) throw new TusError(400, `Invalid ${name} header`);
	const size = Number(value);
	if (!Number.isSafeInteger(size)) throw new TusError(400, `Invalid ${name} header`);
	return size;
}

export type UploadId = { bucket: string; name: string; version: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeUploadId(id: UploadId): string {
	return Buffer.from(`${id.bucket}/${id.name}/${id.version}`, 'utf8').toString('base64url');
}

/** The upload an URL segment names; 404 when it cannot name one (tus: unknown upload). */
export function decodeUploadId(segment: string): UploadId {
	const decoded = /^[A-Za-z0-9_-]+$/.test(segment)
		? Buffer.from(segment, 'base64url').toString('utf8')
		: '';
	const parts = decoded.split('/');
	const version = parts.pop() ?? '';
	const [bucket, ...name] = parts;
	if (!bucket || name.length === 0 || !UUID.test(version)) {
		throw new TusError(404, 'The file for this url was not found');
	}
	return { bucket, name: name.join('/'), version };
}
