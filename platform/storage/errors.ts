// Supabase Storage's errors (supabase/storage src/internal/errors/codes.ts): a body of
// `{ statusCode, code, error, message }` where `statusCode` is the real status as a string,
// sent with Storage's legacy HTTP status: 400 for every 4xx (a missing object is HTTP 400 with
// statusCode "404"), 500 for 500, unless the error carries a status of its own (403 for a
// token of no role, 416 for a bad Range, 544 for a database timeout).
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type ErrorCode =
	| 'NoSuchBucket'
	| 'NoSuchKey'
	| 'InvalidJWT'
	| 'InvalidRequest'
	| 'EntityTooLarge'
	| 'InternalError'
	| 'ResourceAlreadyExists'
	| 'ResourceNotEmpty'
	| 'InvalidBucketName'
	| 'InvalidKey'
	| 'InvalidRange'
	| 'InvalidMimeType'
	| 'KeyAlreadyExists'
	| 'BucketAlreadyExists'
	| 'DatabaseTimeout'
	| 'InvalidSignature'
	| 'ExpiredToken'
	| 'AccessDenied'
	| 'ResourceLocked'
	| 'ResourceReferenced'
	| 'DatabaseError'
	| 'InvalidParameter'
	| 'MissingParameter'
	| 'Aborted';

export class StorageError extends Error {
	/** The status in the body (`statusCode`), Storage's httpStatusCode. */
	readonly status: number;
	/** The HTTP status actually sent. */
	readonly httpStatus: number;
	readonly code: ErrorCode;
	/** Storage's older `error` field, where it differs from the code. */
	readonly error: string;

	constructor(opts: {
		status: number;
		code: ErrorCode;
		message: string;
		error?: string;
		httpStatus?: number;
		cause?: unknown;
	}) {
		super(opts.message, { cause: opts.cause });
		this.name = 'StorageError';
		this.status = opts.status;
		this.code = opts.code;
		this.error = opts.error ?? opts.code;
		this.httpStatus = opts.httpStatus ?? (opts.status === 500 ? 500 : 400);
	}

	body() {
		return {
			statusCode: String(this.status),
			code: this.code,
			error: this.error,
			message: this.message
		};
	}
}

const err = (
	status: number,
	code: ErrorCode,
	message: string,
	extra: { error?: string; httpStatus?: number; cause?: unknown } = {}
) => new StorageError({ status, code, message, ...extra });

/** The errors Storage sends, by the names its code gives them. */
export const ERRORS = {
	noSuchBucket: () => err(404, 'NoSuchBucket', 'Bucket not found', { error: 'Bucket not found' }),
	noSuchKey: () => err(404, 'NoSuchKey', 'Object not found', { error: 'not_found' }),
	bucketNotEmpty: () => err(409, 'ResourceNotEmpty', 'The bucket you tried to delete is not empty'),
	unableToEmptyBucket: (message: string) => err(409, 'InvalidRequest', message),
	invalidRequest: (message: string) => err(400, 'InvalidRequest', message || 'Invalid Request'),
	noContentProvided: (message = 'No content provided') => err(400, 'InvalidRequest', message),
	invalidParameter: (parameter: string, message?: string) =>
		err(400, 'InvalidParameter', message ?? `Invalid Parameter ${parameter}`),
	missingParameter: (parameter: string) =>
		err(400, 'MissingParameter', `Missing Required Parameter ${parameter}`),
	invalidJwt: (message = 'Invalid JWT') => err(400, 'InvalidJWT', message),
	accessDenied: (message = 'Access denied', httpStatus?: number) =>
		err(403, 'AccessDenied', message, { error: 'Unauthorized', httpStatus }),
	resourceAlreadyExists: () =>
		err(409, 'ResourceAlreadyExists', 'The resource already exists', { error: 'Duplicate' }),
	bucketAlreadyExists: () =>
		err(409, 'BucketAlreadyExists', 'The resource already exists', { error: 'Duplicate' }),
	keyAlreadyExists: () =>
		err(409, 'KeyAlreadyExists', 'The resource already exists', { error: 'Duplicate' }),
	invalidSignature: (message = 'Invalid signature') => err(400, 'InvalidSignature', message),
	expiredSignature: () => err(400, 'ExpiredToken', 'The provided token has expired.'),
	invalidMimeType: (mimeType: string) =>
		err(415, 'InvalidMimeType', `mime type ${mimeType} is not supported`, {
			error: 'invalid_mime_type'
		}),
	invalidRange: () =>
		err(416, 'InvalidRange', 'invalid range provided', { error: 'invalid_range', httpStatus: 416 }),
	entityTooLarge: (entity = 'object', limit = 'the maximum allowed size') =>
		err(413, 'EntityTooLarge', `The ${entity} exceeded ${limit}`, { error: 'Payload too large' }),
	invalidBucketName: () =>
		err(400, 'InvalidBucketName', 'Bucket name invalid', { error: 'Invalid Input' }),
	invalidFileSizeLimit: () =>
		err(400, 'InvalidRequest', 'Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B'),
	invalidKey: (key: string) => err(400, 'InvalidKey', `Invalid key: ${key}`),
	resourceLocked: () => err(423, 'ResourceLocked', 'The resource is locked'),
	databaseTimeout: () =>
		err(544, 'DatabaseTimeout', 'The connection to the database timed out', { httpStatus: 544 }),
	internal: (cause?: unknown) =>
		err(500, 'InternalError', 'Internal server error', { error: 'Internal', cause })
};

type PgError = Error & { code?: string; detail?: string };

/** Postgres errors as Storage maps them (src/storage/database/errors.ts). */
export function fromPgError(error: unknown): StorageError | undefined {
	const pgError = error as PgError;
	if (typeof pgError?.code !== 'string' || pgError.code.length !== 5) return undefined;
	switch (pgError.code) {
		case '42501':
			return ERRORS.accessDenied(
				pgError.message.includes('row-level security')
					? 'new row violates row-level security policy'
					: pgError.message
			);
		case '23505':
			return ERRORS.resourceAlreadyExists();
		case '23503':
			return pgError.detail?.includes('is still referenced from table')
				? err(
						409,
						'ResourceReferenced',
						'The resource could not be updated or removed due to a foreign key constraint'
					)
				: err(404, 'InvalidRequest', 'The related resource does not exist');
		case '55P03':
			return ERRORS.resourceLocked();
		case '57014':
			return ERRORS.databaseTimeout();
		case '22P02':
			return ERRORS.invalidParameter('value', pgError.message);
		default:
			return err(500, 'DatabaseError', `database error, code: ${pgError.code}`, {
				cause: error
			});
	}
}

/** Any thrown value as Storage's response; unexpected ones are logged. */
export function errorResponse(c: Context, error: unknown, log: (line: string) => void): Response {
	const mapped = error instanceof StorageError ? error : (fromPgError(error) ?? ERRORS.internal());
	if (mapped.status >= 500) {
		const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
		log(`storage: ${c.req.method} ${c.req.path}: ${detail}`);
	}
	if (c.req.method === 'HEAD') return c.body(null, mapped.httpStatus as ContentfulStatusCode);
	return c.json(mapped.body(), mapped.httpStatus as ContentfulStatusCode);
}
