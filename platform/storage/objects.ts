// Object operations other than writing bytes, each as Storage performs it and with the grants
// it needs under RLS: reading (select), listing (select), signing (select), removing (select +
// delete), moving (select + update), copying (select on the source + insert at the
// destination, checked before any byte is copied).
import { randomUUID } from 'node:crypto';
import {
	asService,
	findBucket,
	findObject,
	findObjectOrNull,
	insertObject,
	ownerUuid,
	testPermission,
	upsertObject,
	withCaller,
	type Caller,
	type ObjectRow
} from './db.ts';
import { ERRORS } from './errors.ts';
import { mustBeValidKey } from './names.ts';
import type { StorageDeps } from './uploads.ts';

/** How a download was authorized: as the caller (RLS), or already (public bucket, signed URL). */
export type ReadAccess =
	| { kind: 'caller'; caller: Caller; authenticated: boolean }
	| { kind: 'public' }
	| { kind: 'signed' };

/** The object a download or info request may read, as Storage decides it. */
export async function objectToRead(
	deps: StorageDeps,
	bucketId: string,
	name: string,
	access: ReadAccess
): Promise<ObjectRow> {
	mustBeValidKey(name);
	const bucket = await asService(deps.pool, 'object.get', async (tx) =>
		findBucket(tx, bucketId).catch(() => null)
	);
	if (!bucket) throw ERRORS.noSuchBucket();
	if (access.kind === 'public' && !bucket.public) throw ERRORS.noSuchBucket();
	if (access.kind === 'caller' && !access.authenticated && !bucket.public) {
		throw ERRORS.noSuchBucket();
	}
	// A public bucket's objects are readable by anyone; otherwise RLS decides.
	if (access.kind === 'caller' && !bucket.public) {
		return withCaller(deps.pool, access.caller, 'object.get', (tx) =>
			findObject(tx, bucketId, name)
		);
	}
	return asService(deps.pool, 'object.get', (tx) => findObject(tx, bucketId, name));
}

export type ListOptions = {
	prefix: string;
	limit?: number;
	offset?: number;
	search?: string;
	sortBy?: { column?: string; order?: string };
};

export type ListEntry = {
	name: string;
	id: string | null;
	updated_at: Date | null;
	created_at: Date | null;
	last_accessed_at: Date | null;
	metadata: unknown;
};

const SORT_COLUMNS = new Set(['name', 'updated_at', 'created_at', 'last_accessed_at']);
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (m) => `\\${m}`);

/**
 * One level of a folder, as Storage's `storage.search` lists it: the sub-folders first (an
 * entry with a null id), then the objects, sorted, then limit and offset over both. Names
 * match the prefix case-insensitively, as `lower(name) like lower(prefix)` (what ILIKE does
 * in a UTF-8 database, and what Storage's search_v1_optimised writes, at about half ILIKE's
 * cost per row). Each half reads the table itself rather than a shared CTE: materializing
 * every matching row with its metadata, then scanning it twice, was most of a 10,000-object
 * folder's listing time (bench:storage).
 */
export async function list(
	deps: StorageDeps,
	caller: Caller,
	bucketId: string,
	options: ListOptions
): Promise<ListEntry[]> {
	let prefix = options.prefix;
	if (prefix.length > 0 && !prefix.endsWith('/')) prefix = `${prefix}/`;
	const search = options.search ?? '';
	const level = (prefix + search).split('/').length;
	const column = SORT_COLUMNS.has(options.sortBy?.column ?? '') ? options.sortBy!.column! : 'name';
	const order = options.sortBy?.order === 'desc' ? 'desc' : 'asc';
	const pattern = `${escapeLike(prefix)}${escapeLike(search)}%`;
	// A bucket that is missing, or that the caller may not see, lists as empty (as in Storage).
	return withCaller(deps.pool, caller, 'object.list', async (tx) => {
		const { rows } = await tx.query<ListEntry>(
			`(select folder as name, null::uuid as id, null::timestamptz as updated_at,
			         null::timestamptz as created_at, null::timestamptz as last_accessed_at,
			         null::jsonb as metadata
			    from (select path_tokens[$3] as folder from storage.objects
			           where bucket_id = $1 and lower(name) like lower($2)
			             and array_length(path_tokens, 1) <> $3
			           group by folder) folders
			   order by folder ${order})
			 union all
			 (select path_tokens[$3], id, updated_at, created_at, last_accessed_at, metadata
			    from storage.objects
			   where bucket_id = $1 and lower(name) like lower($2)
			     and array_length(path_tokens, 1) = $3
			   order by ${column} ${order})
			 limit $4 offset $5`,
			[bucketId, pattern, level, options.limit ?? 100, options.offset ?? 0]
		);
		return rows;
	});
}

/**
 * A signed download URL path for one object the caller may read; with transformations (in
 * Storage's `width:100,…` words) it opens the transformed image under /render/image instead.
 */
export async function signUrl(
	deps: StorageDeps & {
		signDownload(url: string, expiresIn: number, transformations?: string): Promise<string>;
	},
	caller: Caller,
	bucketId: string,
	name: string,
	expiresIn: number,
	transformations?: string
): Promise<string> {
	mustBeValidKey(name);
	await withCaller(deps.pool, caller, 'object.sign', (tx) => findObject(tx, bucketId, name));
	const url = `${bucketId}/${name}`;
	const token = await deps.signDownload(url, expiresIn, transformations);
	return `/${transformations ? 'render/image' : 'object'}/sign/${url}?token=${token}`;
}

/** Signed URLs for many paths: an error entry for each one the caller cannot read. */
export async function signUrls(
	deps: StorageDeps & { signDownload(url: string, expiresIn: number): Promise<string> },
	caller: Caller,
	bucketId: string,
	paths: string[],
	expiresIn: number
) {
	const found = await withCaller(deps.pool, caller, 'object.sign', async (tx) => {
		const { rows } = await tx.query<{ name: string }>(
			'select name from storage.objects where bucket_id = $1 and name = any($2)',
			[bucketId, paths]
		);
		return new Set(rows.map((r) => r.name));
	});
	return Promise.all(
		paths.map(async (path) => {
			if (!found.has(path)) {
				return {
					error: 'Either the object does not exist or you do not have access to it',
					path,
					signedURL: null
				};
			}
			const url = `${bucketId}/${path}`;
			return {
				error: null,
				path,
				signedURL: `/object/sign/${url}?token=${await deps.signDownload(url, expiresIn)}`
			};
		})
	);
}

/** Removes the objects at `names` the caller may delete; their bytes go after commit. */
export async function remove(
	deps: StorageDeps,
	caller: Caller,
	bucketId: string,
	names: string[]
): Promise<ObjectRow[]> {
	const rows = await withCaller(deps.pool, caller, 'object.delete', async (tx) => {
		const { rows } = await tx.query<ObjectRow>(
			`delete from storage.objects where bucket_id = $1 and name = any($2)
			 returning id, bucket_id, name, owner, owner_id, version, metadata, user_metadata,
			           created_at, updated_at, last_accessed_at`,
			[bucketId, names]
		);
		return rows;
	});
	await deps.disk.remove(rows.map((r) => r.version));
	return rows;
}

/** Removes one object: NoSuchKey when absent, AccessDenied when RLS keeps it. */
export async function removeOne(deps: StorageDeps, caller: Caller, bucketId: string, name: string) {
	mustBeValidKey(name);
	await asService(deps.pool, 'object.delete', (tx) => findObject(tx, bucketId, name));
	const [row] = await remove(deps, caller, bucketId, [name]);
	if (!row) throw ERRORS.accessDenied('Access denied');
}

export type MoveRequest = {
	bucketId: string;
	sourceKey: string;
	destinationBucket: string;
	destinationKey: string;
};

/**
 * Moves an object (a row update: bytes are stored by version, not by name). The caller must
 * be able to read it and to update it into its new place; the mover becomes its owner.
 */
export async function move(deps: StorageDeps, caller: Caller, m: MoveRequest) {
	mustBeValidKey(m.sourceKey);
	mustBeValidKey(m.destinationKey);
	return withCaller(deps.pool, caller, 'object.move', async (tx) => {
		const source = await findObject(tx, m.bucketId, m.sourceKey);
		if (m.bucketId === m.destinationBucket && m.sourceKey === m.destinationKey) return source;
		const { rows } = await tx.query<ObjectRow>(
			`update storage.objects
			    set bucket_id = $3, name = $4, owner = $5, owner_id = $6
			  where bucket_id = $1 and name = $2
			  returning id, name, bucket_id, version, owner, metadata`,
			[
				m.bucketId,
				m.sourceKey,
				m.destinationBucket,
				m.destinationKey,
				ownerUuid(caller.sub),
				caller.sub ?? null
			]
		);
		if (!rows[0]) throw ERRORS.noSuchKey();
		return rows[0];
	});
}

export type CopyRequest = MoveRequest & {
	upsert: boolean;
	copyMetadata: boolean;
	metadata?: { cacheControl?: string; mimetype?: string };
	userMetadata?: Record<string, unknown>;
};

/** Copies an object's bytes to a new key the caller may write (checked before copying). */
export async function copy(deps: StorageDeps, caller: Caller, c: CopyRequest): Promise<ObjectRow> {
	mustBeValidKey(c.sourceKey);
	mustBeValidKey(c.destinationKey);
	const source = await withCaller(deps.pool, caller, 'object.copy', (tx) =>
		findObject(tx, c.bucketId, c.sourceKey)
	);
	const metadata = { ...(source.metadata ?? {}) } as Record<string, unknown>;
	if (!c.copyMetadata) {
		if (c.metadata?.cacheControl !== undefined) metadata.cacheControl = c.metadata.cacheControl;
		if (c.metadata?.mimetype !== undefined) metadata.mimetype = c.metadata.mimetype;
	}
	const userMetadata = c.copyMetadata ? source.user_metadata : (c.userMetadata ?? null);
	const values = {
		bucketId: c.destinationBucket,
		name: c.destinationKey,
		owner: caller.sub,
		version: randomUUID(),
		metadata,
		userMetadata
	};
	await testPermission(deps.pool, caller, 'object.copy', (tx) =>
		(c.upsert ? upsertObject : insertObject)(tx, values)
	);
	if (!source.version || (await deps.disk.size(source.version)) === null) throw ERRORS.noSuchKey();
	const copiedEtag = await deps.disk.copy(source.version, values.version);
	if (copiedEtag) metadata.eTag = copiedEtag;
	let replaced: string | null = null;
	try {
		const row = await asService(deps.pool, 'object.copy', async (tx) => {
			const current = await findObjectOrNull(tx, c.destinationBucket, c.destinationKey, true);
			if (current && !c.upsert) throw ERRORS.resourceAlreadyExists();
			replaced = current?.version ?? null;
			return (current ? upsertObject : insertObject)(tx, {
				...values,
				metadata: { ...metadata, lastModified: deps.now().toUTCString() }
			});
		});
		await deps.disk.remove([replaced]);
		return row;
	} catch (error) {
		await deps.disk.remove([values.version]);
		throw error;
	}
}
