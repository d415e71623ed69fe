// What an object's ETag is: Supabase Storage's file backend offers two algorithms
// (STORAGE_FILE_ETAG_ALGORITHM, supabase/storage src/storage/backend/file.ts `etag`):
//
//   md5    `"<md5 of the bytes>"`: Supabase's own default; every byte hashed as it arrives
//   mtime  `"<mtimeMs in hex>-<size in hex>"` of the stored file: nothing hashed
//
// The local platform defaults to mtime. An ETag is an opaque version tag, and no Supabase
// client can read it as an MD5: hosted Supabase (the S3 backend) sends every request-backed
// upload larger than one 16 MiB part through @aws-sdk/lib-storage's multipart Upload, whose
// ETags are `"<md5 of the parts' md5s>-<parts>"`, and TUS uploads are S3 multipart uploads
// too. And MD5 alone (168 ms of one core per 100 MB here) costs more than writing the bytes
// (~75 ms per 100 MB into the page cache): with it an upload cannot reach half of a plain fs
// write's speed on this machine (bench:storage prints both). Set
// STORAGE_FILE_ETAG_ALGORITHM=md5 for Supabase's default (the contract tests do: they check
// the MD5 ETag hosted Storage gives a small single-part upload).
import type { Stats } from 'node:fs';

export type EtagAlgorithm = 'md5' | 'mtime';

/** The local platform's choice when STORAGE_FILE_ETAG_ALGORITHM is not set (see above). */
export const DEFAULT_ETAG_ALGORITHM: EtagAlgorithm = 'mtime';

/** STORAGE_FILE_ETAG_ALGORITHM's value, refused with Storage's own message unless md5 or mtime. */
export function etagAlgorithm(value: string | undefined): EtagAlgorithm {
	const chosen = value || DEFAULT_ETAG_ALGORITHM;
	if (chosen === 'md5' || chosen === 'mtime') return chosen;
	// Storage's wording (it names the variable FILE_STORAGE_… there too).
	throw new Error('FILE_STORAGE_ETAG_ALGORITHM env variable must be either "mtime" or "md5"');
}

/** Storage's mtime ETag of a file's stats: `"<mtimeMs hex>-<size hex>"`. */
export function mtimeEtag(stats: Pick<Stats, 'mtimeMs' | 'size'>): string {
	return `"${stats.mtimeMs.toString(16)}-${stats.size.toString(16)}"`;
}
