// Bucket operations, each run as the caller so that RLS on storage.buckets decides (a signed-in
// user needs a policy to create or change a bucket; the service role may do anything), with
// Storage's validation of names, size limits and MIME types.
import type { Caller } from './db.ts';
import { asService, findBucket, withCaller, type BucketRow } from './db.ts';
import { ERRORS } from './errors.ts';
import { mustBeValidBucketName, mustBeValidMimeTypes, parseFileSizeLimit } from './names.ts';
import type { StorageDeps } from './uploads.ts';

export type BucketSettings = {
	public?: boolean;
	file_size_limit?: number | string | null;
	allowed_mime_types?: string[] | null;
};

const COLUMNS = `id, name, owner, public, file_size_limit::float8 as file_size_limit,
	allowed_mime_types, created_at, updated_at`;

/** The bucket columns Storage answers with, plus its type (every bucket here is STANDARD). */
const view = (row: BucketRow) => ({ ...row, type: 'STANDARD' });

function sizeLimit(deps: StorageDeps, value: BucketSettings['file_size_limit']) {
	if (value === undefined || value === null) return value;
	const bytes = parseFileSizeLimit(value);
	if (bytes > deps.fileSizeLimit) throw ERRORS.entityTooLarge();
	return bytes;
}

function mimeTypes(value: BucketSettings['allowed_mime_types']) {
	if (!value) return value;
	const types = value.filter((t) => t);
	mustBeValidMimeTypes(types);
	return types;
}

export async function create(
	deps: StorageDeps,
	caller: Caller,
	input: BucketSettings & { id?: string; name: string }
): Promise<{ name: string }> {
	mustBeValidBucketName(input.name);
	const id = input.id || input.name;
	mustBeValidBucketName(id);
	const limit = sizeLimit(deps, input.file_size_limit);
	const types = mimeTypes(input.allowed_mime_types);
	await withCaller(deps.pool, caller, 'bucket.create', (tx) =>
		tx.query(
			`insert into storage.buckets (id, name, owner, owner_id, public, file_size_limit, allowed_mime_types)
			 values ($1, $2, $3, $4, $5, $6, $7)`,
			[
				id,
				input.name,
				caller.sub && /^[0-9a-f-]{36}$/i.test(caller.sub) ? caller.sub : null,
				caller.sub ?? null,
				input.public ?? false,
				limit ?? null,
				types ?? null
			]
		)
	);
	return { name: id };
}

export async function get(deps: StorageDeps, caller: Caller, id: string) {
	return view(await withCaller(deps.pool, caller, 'bucket.get', (tx) => findBucket(tx, id)));
}

export type BucketListOptions = {
	limit?: number;
	offset?: number;
	sortColumn?: string;
	sortOrder?: string;
	search?: string;
};

export async function list(deps: StorageDeps, caller: Caller, o: BucketListOptions) {
	const column = ['id', 'name', 'created_at', 'updated_at'].includes(o.sortColumn ?? '')
		? o.sortColumn!
		: 'name';
	const order = o.sortOrder === 'desc' ? 'desc' : 'asc';
	const rows = await withCaller(deps.pool, caller, 'bucket.list', async (tx) => {
		const { rows } = await tx.query<BucketRow>(
			`select ${COLUMNS} from storage.buckets
			  where ($1::text is null or name ilike '%' || $1 || '%')
			  order by ${column} ${order} limit $2 offset $3`,
			[o.search || null, o.limit ?? null, o.offset ?? 0]
		);
		return rows;
	});
	return rows.map(view);
}

export async function update(deps: StorageDeps, caller: Caller, id: string, input: BucketSettings) {
	mustBeValidBucketName(id);
	if (
		input.public === undefined &&
		input.file_size_limit === undefined &&
		input.allowed_mime_types === undefined
	) {
		throw ERRORS.noContentProvided();
	}
	const limit = sizeLimit(deps, input.file_size_limit);
	const types = mimeTypes(input.allowed_mime_types);
	await withCaller(deps.pool, caller, 'bucket.update', async (tx) => {
		const { rowCount } = await tx.query(
			`update storage.buckets set
			   public = case when $2 then $3 else public end,
			   file_size_limit = case when $4 then $5 else file_size_limit end,
			   allowed_mime_types = case when $6 then $7 else allowed_mime_types end,
			   updated_at = now()
			 where id = $1`,
			[
				id,
				input.public !== undefined,
				input.public ?? null,
				limit !== undefined,
				limit ?? null,
				types !== undefined,
				types ?? null
			]
		);
		if (!rowCount) throw ERRORS.noSuchBucket();
	});
}

/** Removes every object of a bucket the caller may see (Storage queues this; here it is done). */
export async function empty(deps: StorageDeps, caller: Caller, id: string) {
	await withCaller(deps.pool, caller, 'bucket.empty', (tx) => findBucket(tx, id));
	for (;;) {
		const versions = await asService(deps.pool, 'bucket.empty', async (tx) => {
			const { rows } = await tx.query<{ version: string | null }>(
				`delete from storage.objects where id in (
				   select id from storage.objects where bucket_id = $1 limit 1000
				 ) returning version`,
				[id]
			);
			return rows.map((r) => r.version);
		});
		await deps.disk.remove(versions);
		if (versions.length < 1000) return;
	}
}

/** Deletes an empty bucket: ResourceNotEmpty (409) while it holds objects. */
export async function remove(deps: StorageDeps, caller: Caller, id: string) {
	// Existence and emptiness are Storage's super user's to check; the delete is the caller's.
	const hasObjects = await asService(deps.pool, 'bucket.delete', async (tx) => {
		await findBucket(tx, id);
		const { rows } = await tx.query('select 1 from storage.objects where bucket_id = $1 limit 1', [
			id
		]);
		return rows.length > 0;
	});
	if (hasObjects) throw ERRORS.bucketNotEmpty();
	await withCaller(deps.pool, caller, 'bucket.delete', async (tx) => {
		const { rowCount } = await tx.query('delete from storage.buckets where id = $1', [id]);
		if (!rowCount) throw ERRORS.noSuchBucket();
	});
}
