// Which bucket names and object keys Storage accepts (supabase/storage src/storage/limits.ts),
// plus what a key must never be on this stand-in, whose bytes live on a disk: `..` or `.`
// segments, a leading `/`, NUL bytes and names longer than a file system takes are refused
// as InvalidKey before anything is read or written. (Bytes are stored by version id, never by
// name, so a key cannot reach a path anyway; refusing them keeps keys portable.)
import { ERRORS } from './errors.ts';

// Storage's own character set: S3-safe characters and a few that need special handling.
const VALID_OBJECT_KEY = /^[A-Za-z0-9_/!.*'() &$=@;:+,?-]*$/;
const VALID_BUCKET_NAME = /^[A-Za-z0-9_!.*'() &$=@;:+,?-]*$/;

/** A key's longest segment (a file name on most file systems). */
export const MAX_SEGMENT_BYTES = 255;
/** S3's limit on a whole key. */
export const MAX_KEY_BYTES = 1024;

export function isValidKey(key: string): boolean {
	if (key.length === 0 || !VALID_OBJECT_KEY.test(key)) return false;
	if (key.startsWith('/') || Buffer.byteLength(key) > MAX_KEY_BYTES) return false;
	return key
		.split('/')
		.every((segment) => segment !== '..' && segment !== '.' && segment.length <= MAX_SEGMENT_BYTES);
}

export function mustBeValidKey(key: string | undefined): asserts key is string {
	if (!key || !isValidKey(key)) throw ERRORS.invalidKey(key ?? '');
}

export function isValidBucketName(name: string): boolean {
	return name.length > 0 && name.length < 101 && VALID_BUCKET_NAME.test(name);
}

export function mustBeValidBucketName(name: string | undefined): asserts name is string {
	if (!name || !isValidBucketName(name) || name.trim() !== name) throw ERRORS.invalidBucketName();
}

/** Storage's check of a bucket's allowed MIME types (`image/*`, `text/plain;charset=utf-8`). */
export function mustBeValidMimeTypes(types: string[]): void {
	for (const type of types) {
		if (
			type.length > 1000 ||
			!/^([a-zA-Z0-9\-+.]+)\/([a-zA-Z0-9\-+.]+)(;\s*charset=[a-zA-Z0-9-]+)?$|\*$/.test(type)
		) {
			throw ERRORS.invalidMimeType(type);
		}
	}
}

/** Whether `mimeType` is one of `allowed` (`type/*` matches every subtype), as Storage checks. */
export function mustBeAllowedMimeType(mimeType: string, allowed: string[] | null): void {
	if (!allowed || allowed.length === 0) return;
	const [type, subtype] = mimeType.split('/');
	if (!type || subtype === undefined) throw ERRORS.invalidMimeType(mimeType);
	for (const entry of allowed) {
		const [allowedType, allowedSubtype] = entry.split('/');
		if (allowedType === type && (allowedSubtype === '*' || allowedSubtype === subtype)) return;
	}
	throw ERRORS.invalidMimeType(mimeType);
}

/** `20MB`, `1.5GB`, `300KB`, `7B` or a number of bytes, as Storage parses a size limit. */
export function parseFileSizeLimit(value: number | string): number {
	if (typeof value === 'number') {
		if (!Number.isSafeInteger(value) || value < 0) throw ERRORS.invalidFileSizeLimit();
		return value;
	}
	const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb)?$/i.exec(value.trim());
	if (!match) throw ERRORS.invalidFileSizeLimit();
	const units: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12 };
	return Math.floor(Number(match[1]) * (units[(match[2] ?? 'b').toLowerCase()] ?? 1));
}
