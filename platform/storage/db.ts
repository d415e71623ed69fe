// How Storage talks to Postgres: every request's queries run in one transaction as the JWT's
// role with its claims set locally (as PostgREST does), so RLS policies on storage.objects
// and storage.buckets decide; `asService` runs as service_role (RLS bypassed), as Storage's
// super-user connection does for what it must see whoever asks (a bucket's limits, the row
// an upload finishes). `storage.allow_delete_query` lets the API's own deletes past the
// trigger that refuses direct deletes.
import type pg from 'pg';
import { ERRORS, fromPgError, StorageError } from './errors.ts';

/** The verified caller of a request: what RLS sees. */
export type Caller = {
	role: 'anon' | 'authenticated' | 'service_role';
	/** The JWT's claims, set as request.jwt.claims. */
	claims: Record<string, unknown>;
	/** The token's subject (a user id), the owner of what it uploads. */
	sub?: string;
};

export const SERVICE_CALLER: Caller = { role: 'service_role', claims: { role: 'service_role' } };

export type Tx = pg.PoolClient;

/** A statement and its values, which `inline` can write as one with escaped literals. */
export type Statement = { text: string; values: unknown[] };

/**
 * A statement with its `$n` parameters written as escaped literals (null as null, anything
 * not a string as its JSON, as pg sends an object), so that it can share a simple-protocol
 * query, and so a round trip, with others. Postgres types the literals as it types parameters.
 */
function inline(client: Tx, { text, values }: Statement): string {
	return text.replace(/\$(\d+)/g, (_, n: string) => {
		const value = values[Number(n) - 1];
		if (value === null || value === undefined) return 'null';
		return client.escapeLiteral(typeof value === 'string' ? value : JSON.stringify(value));
	});
}

/**
 * Runs `fn` in a transaction as `caller`; Postgres errors come out as Storage's errors. A
 * `first` statement is sent with the begin and settings, in their round trip, and `fn` gets
 * its rows.
 */
export async function withCaller<T>(
	pool: pg.Pool,
	caller: Caller,
	operation: string,
	fn: (tx: Tx, firstRows: pg.QueryResultRow[]) => Promise<T>,
	first?: Statement
): Promise<T> {
	const client = await pool.connect();
	try {
		// Begin and the settings in one round trip (a simple-protocol query of two statements,
		// literals escaped by pg), as the app's withRls sends them; the first statement with them.
		const begun = await client.query(
			`begin; ${settingsSql(client, caller, operation)}${first ? `; ${inline(client, first)}` : ''}`
		);
		const firstRows: pg.QueryResultRow[] = first
			? (begun as unknown as pg.QueryResult<pg.QueryResultRow>[])[2]!.rows
			: [];
		const result = await fn(client, firstRows);
		await client.query('commit');
		return result;
	} catch (error) {
		await client.query('rollback').catch(() => {});
		throw toStorageError(error);
	} finally {
		client.release();
	}
}

/** The statement that makes the transaction's role and claims `caller`'s (literals escaped). */
function settingsSql(client: Tx, caller: Caller, operation: string): string {
	const literal = (text: string) => client.escapeLiteral(text);
	return `select set_config('role', ${literal(caller.role)}, true),
	        set_config('request.jwt.claims', ${literal(JSON.stringify(caller.claims))}, true),
	        set_config('request.jwt.claim.role', ${literal(caller.role)}, true),
	        set_config('request.jwt.claim.sub', ${literal(caller.sub ?? '')}, true),
	        set_config('storage.operation', ${literal(operation)}, true),
	        set_config('storage.allow_delete_query', 'true', true)`;
}

export function asService<T>(
	pool: pg.Pool,
	operation: string,
	fn: (tx: Tx, firstRows: pg.QueryResultRow[]) => Promise<T>,
	first?: Statement
) {
	return withCaller(pool, SERVICE_CALLER, operation, fn, first);
}

/** Thrown to end a permission test's transaction; never leaves this module. */
class Rollback extends Error {}
const ROLLBACK = new Rollback('rollback');

/**
 * Runs `fn` as `caller` and rolls back whatever it wrote: Storage's testPermission, which asks
 * RLS whether a write would be allowed before any byte is stored.
 */
export async function testPermission(
	pool: pg.Pool,
	caller: Caller,
	operation: string,
	fn: (tx: Tx) => Promise<unknown>
): Promise<void> {
	try {
		await withCaller(pool, caller, operation, async (tx) => {
			await fn(tx);
			throw ROLLBACK;
		});
	} catch (error) {
		if (error !== ROLLBACK) throw error;
	}
}

function toStorageError(error: unknown): unknown {
	if (error === ROLLBACK || error instanceof StorageError) return error;
	return fromPgError(error) ?? error;
}

export type BucketRow = {
	id: string;
	name: string;
	owner: string | null;
	public: boolean;
	file_size_limit: number | null;
	allowed_mime_types: string[] | null;
	created_at: Date;
	updated_at: Date;
};

const BUCKET_COLUMNS = `id, name, owner, public, file_size_limit::float8 as file_size_limit,
	allowed_mime_types, created_at, updated_at`;

/** A bucket's row as the transaction's role may see it; NoSuchBucket when it may not. */
export async function findBucket(tx: Tx, id: string, forUpdate = false): Promise<BucketRow> {
	const { rows } = await tx.query<BucketRow>(
		`select ${BUCKET_COLUMNS} from storage.buckets where id = $1 ${forUpdate ? 'for update' : ''}`,
		[id]
	);
	if (!rows[0]) throw ERRORS.noSuchBucket();
	return rows[0];
}

export type ObjectMetadata = {
	eTag: string;
	size: number;
	mimetype: string;
	cacheControl: string;
	lastModified: string;
	contentLength: number;
	httpStatusCode: number;
};

export type ObjectRow = {
	id: string;
	bucket_id: string;
	name: string;
	owner: string | null;
	owner_id: string | null;
	version: string | null;
	metadata: ObjectMetadata | null;
	user_metadata: Record<string, unknown> | null;
	created_at: Date;
	updated_at: Date;
	last_accessed_at: Date;
};

const OBJECT_COLUMNS = `id, bucket_id, name, owner, owner_id, version, metadata, user_metadata,
	created_at, updated_at, last_accessed_at`;

/** An object's row as the transaction's role may see it; NoSuchKey when it may not. */
export async function findObject(
	tx: Tx,
	bucketId: string,
	name: string,
	forUpdate = false
): Promise<ObjectRow> {
	const row = await findObjectOrNull(tx, bucketId, name, forUpdate);
	if (!row) throw ERRORS.noSuchKey();
	return row;
}

/** The statement of findObjectOrNull (for withCaller's `first`). */
export const findObjectStatement = (
	bucketId: string,
	name: string,
	forUpdate = false
): Statement => ({
	text: `select ${OBJECT_COLUMNS} from storage.objects where bucket_id = $1 and name = $2
	 ${forUpdate ? 'for update' : ''}`,
	values: [bucketId, name]
});

export async function findObjectOrNull(
	tx: Tx,
	bucketId: string,
	name: string,
	forUpdate = false
): Promise<ObjectRow | null> {
	const { text, values } = findObjectStatement(bucketId, name, forUpdate);
	const { rows } = await tx.query<ObjectRow>(text, values);
	return rows[0] ?? null;
}

/** The uuid owner column takes the subject only when it is a uuid (owner_id takes any). */
export function ownerUuid(sub: string | undefined): string | null {
	return sub && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(sub)
		? sub
		: null;
}

export type NewObject = {
	bucketId: string;
	name: string;
	owner?: string;
	version: string;
	metadata: Partial<ObjectMetadata> | null;
	userMetadata: Record<string, unknown> | null;
};

const INSERT_OBJECT = `insert into storage.objects
	(bucket_id, name, owner, owner_id, version, metadata, user_metadata)
	values ($1, $2, $3, $4, $5, $6, $7)`;
const UPSERT_OBJECT = `${INSERT_OBJECT}
	on conflict (bucket_id, name) do update set
	  owner = excluded.owner, owner_id = excluded.owner_id, version = excluded.version,
	  metadata = excluded.metadata, user_metadata = excluded.user_metadata`;

const objectValues = (o: NewObject) => [
	o.bucketId,
	o.name,
	ownerUuid(o.owner),
	o.owner ?? null,
	o.version,
	o.metadata,
	o.userMetadata
];

/** The statement of insertObject (for withCaller's `first`). */
export const insertObjectStatement = (o: NewObject): Statement => ({
	text: `${INSERT_OBJECT} returning ${OBJECT_COLUMNS}`,
	values: objectValues(o)
});

/** INSERT of an object row (fails 23505 when the key exists). */
export async function insertObject(tx: Tx, o: NewObject): Promise<ObjectRow> {
	const { text, values } = insertObjectStatement(o);
	const { rows } = await tx.query<ObjectRow>(text, values);
	return rows[0]!;
}

/** INSERT … ON CONFLICT DO UPDATE of an object row: what an upsert needs RLS to allow. */
export async function upsertObject(tx: Tx, o: NewObject): Promise<ObjectRow> {
	const { rows } = await tx.query<ObjectRow>(
		`${UPSERT_OBJECT} returning ${OBJECT_COLUMNS}`,
		objectValues(o)
	);
	return rows[0]!;
}

/**
 * An upload's checks against the database in one round trip, for the common case that they
 * pass: the bucket's row as Storage's super user sees it, then the object row written as
 * `caller` (INSERT, or INSERT … ON CONFLICT DO UPDATE for an upsert) and rolled back, so RLS
 * has said yes and nothing was kept. Resolves with the bucket when the bucket exists and the
 * write was allowed; with null when anything failed (no bucket, RLS refused, the key exists, a
 * value Postgres rejects): the caller then asks again step by step (findBucket, then
 * testPermission), which finds the same answer and says which check refused, in Storage's
 * order. One simple-protocol query of escaped literals, as withCaller's begin and settings,
 * instead of two transactions of three round trips each (with finishUpload's first statement
 * sent with its begin, a 1 KB upload to bench/storage.ts's Storage process took p50 5.1–6.1
 * against 7.8–7.9 ms and 3.7–4.4 against 4.9–5.3 ms of its CPU, 400 of each alternating, load
 * ~5–6).
 */
export async function bucketIfUploadAllowed(
	pool: pg.Pool,
	caller: Caller,
	operation: string,
	o: NewObject,
	upsert: boolean
): Promise<BucketRow | null> {
	const client = await pool.connect();
	try {
		const bucket = {
			text: `select ${BUCKET_COLUMNS} from storage.buckets where id = $1`,
			values: [o.bucketId]
		};
		const write = { text: upsert ? UPSERT_OBJECT : INSERT_OBJECT, values: objectValues(o) };
		const results = (await client.query(
			`begin;
			 ${settingsSql(client, SERVICE_CALLER, operation)};
			 ${inline(client, bucket)};
			 ${settingsSql(client, caller, operation)};
			 ${inline(client, write)};
			 rollback`
		)) as unknown as pg.QueryResult[];
		return (results[2]?.rows[0] as BucketRow | undefined) ?? null;
	} catch {
		// The statements after the failed one were not run: the transaction is still open.
		await client.query('rollback').catch(() => {});
		return null;
	} finally {
		client.release();
	}
}
