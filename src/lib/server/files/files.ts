// The files catalogue (public.files), read in the request's RLS transaction.
// Storage holds the bytes and decides who may change them; these queries list,
// search, filter and sum what the catalogue says is there.
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';
import { FOLDER_MARKER, kindOf, type Bucket, type FileKind } from '../../files/paths.ts';

export type FileRecord = {
	id: string;
	bucket: Bucket;
	/** The Storage object name, `<org id>/<folder>/<file name>`. */
	objectName: string;
	folder: string;
	name: string;
	size: number;
	mimeType: string | null;
	kind: FileKind;
	checksum: string | null;
	width: number | null;
	height: number | null;
	altText: string;
	uploadedBy: string | null;
	uploadedByName: string | null;
	createdAt: Date;
	updatedAt: Date;
};

export type FolderListing = {
	/** Subfolders of the folder (their full paths), by name. */
	folders: string[];
	files: FileRecord[];
};

export type ListFilter = {
	/** Part of a file name; searches every folder when set. */
	search?: string;
	kind?: FileKind;
};

const LIST_LIMIT = 500;

function selectFiles(trx: Trx) {
	return trx
		.selectFrom('files as f')
		.leftJoin('profiles as p', 'p.id', 'f.uploaded_by')
		.select([
			'f.id',
			'f.bucket_id',
			'f.name',
			'f.folder',
			'f.file_name',
			'f.size',
			'f.mime_type',
			'f.checksum',
			'f.width',
			'f.height',
			'f.alt_text',
			'f.uploaded_by',
			'p.full_name',
			'f.created_at',
			'f.updated_at'
		]);
}

type Selected = Awaited<ReturnType<ReturnType<typeof selectFiles>['executeTakeFirstOrThrow']>>;

function toRecord(row: Selected): FileRecord {
	return {
		id: row.id,
		bucket: row.bucket_id as Bucket,
		objectName: row.name,
		folder: row.folder,
		name: row.file_name,
		size: Number(row.size),
		mimeType: row.mime_type,
		kind: kindOf(row.mime_type),
		checksum: row.checksum,
		width: row.width,
		height: row.height,
		altText: row.alt_text,
		uploadedBy: row.uploaded_by,
		uploadedByName: row.full_name || null,
		createdAt: new Date(row.created_at),
		updatedAt: new Date(row.updated_at)
	};
}

const likeEscape = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** What a SQL pattern for a kind of file matches (kindOf, as a filter). */
function kindWhere(kind: FileKind) {
	switch (kind) {
		case 'image':
			return sql<boolean>`f.mime_type like 'image/%'`;
		case 'video':
			return sql<boolean>`f.mime_type like 'video/%'`;
		case 'pdf':
			return sql<boolean>`f.mime_type = 'application/pdf'`;
		case 'document':
			return sql<boolean>`(f.mime_type like 'text/%' or f.mime_type ~ '(word|excel|spreadsheet|powerpoint|presentation)')`;
		case 'other':
			return sql<boolean>`not (coalesce(f.mime_type, '') ~ '^(image/|video/|text/)|^application/pdf$|(word|excel|spreadsheet|powerpoint|presentation)')`;
	}
}

/**
 * A folder's subfolders and files; with a search or a kind, the matching files
 * of every folder instead (and no subfolders), newest first.
 */
export async function list(
	trx: Trx,
	orgId: string,
	bucket: Bucket,
	folder: string,
	filter: ListFilter = {}
): Promise<FolderListing> {
	const searching = Boolean(filter.search?.trim()) || Boolean(filter.kind);
	let query = selectFiles(trx)
		.where('f.org_id', '=', orgId)
		.where('f.bucket_id', '=', bucket)
		.where('f.is_folder_marker', '=', false);
	if (searching) {
		const term = filter.search?.trim();
		if (term) query = query.where('f.file_name', 'ilike', `%${likeEscape(term)}%`);
		if (filter.kind) query = query.where(kindWhere(filter.kind));
		const rows = await query.orderBy('f.created_at', 'desc').limit(LIST_LIMIT).execute();
		return { folders: [], files: rows.map(toRecord) };
	}
	const rows = await query
		.where('f.folder', '=', folder)
		.orderBy('f.file_name')
		.limit(LIST_LIMIT)
		.execute();
	return { folders: await subfolders(trx, orgId, bucket, folder), files: rows.map(toRecord) };
}

/** The folders directly inside a folder, from the names of everything below it. */
export async function subfolders(
	trx: Trx,
	orgId: string,
	bucket: Bucket,
	folder: string
): Promise<string[]> {
	const prefix = folder ? `${folder}/` : '';
	const { rows } = await sql<{ path: string }>`
		select distinct ${prefix}::text || split_part(substr(f.folder, ${prefix.length + 1}), '/', 1) as path
		  from public.files f
		 where f.org_id = ${orgId} and f.bucket_id = ${bucket}
		   and f.folder like ${likeEscape(prefix) + '%'} and f.folder <> ${folder}
		 order by 1`.execute(trx);
	return rows.map((r) => r.path);
}

/** Every folder of a bucket (for "move to"), ancestors included, sorted. */
export async function allFolders(trx: Trx, orgId: string, bucket: Bucket): Promise<string[]> {
	const { rows } = await sql<{ path: string }>`
		select distinct array_to_string(s.segments[1:n], '/') as path
		  from (select string_to_array(f.folder, '/') as segments
		          from public.files f
		         where f.org_id = ${orgId} and f.bucket_id = ${bucket} and f.folder <> '') s,
		       generate_series(1, array_length(s.segments, 1)) n
		 order by 1`.execute(trx);
	return rows.map((r) => r.path);
}

/** One file by id (null when it is not the organization's or not visible). */
export async function get(trx: Trx, orgId: string, id: string): Promise<FileRecord | null> {
	const row = await selectFiles(trx)
		.where('f.org_id', '=', orgId)
		.where('f.id', '=', id)
		.executeTakeFirst();
	return row ? toRecord(row) : null;
}

/** The file stored under an object name (after an upload: the record to return). */
export async function byObjectName(
	trx: Trx,
	orgId: string,
	bucket: Bucket,
	objectName: string
): Promise<FileRecord | null> {
	const row = await selectFiles(trx)
		.where('f.org_id', '=', orgId)
		.where('f.bucket_id', '=', bucket)
		.where('f.name', '=', objectName)
		.executeTakeFirst();
	return row ? toRecord(row) : null;
}

/** Every object name under a folder (markers included): what deleting or moving it touches. */
export async function objectsUnder(
	trx: Trx,
	orgId: string,
	bucket: Bucket,
	folder: string
): Promise<{ objectName: string; folder: string; name: string; uploadedBy: string | null }[]> {
	const rows = await trx
		.selectFrom('files as f')
		.select(['f.name', 'f.folder', 'f.file_name', 'f.uploaded_by'])
		.where('f.org_id', '=', orgId)
		.where('f.bucket_id', '=', bucket)
		.where((eb) =>
			eb.or([eb('f.folder', '=', folder), eb('f.folder', 'like', `${likeEscape(folder)}/%`)])
		)
		.orderBy('f.name')
		.execute();
	return rows.map((r) => ({
		objectName: r.name,
		folder: r.folder,
		name: r.file_name,
		uploadedBy: r.uploaded_by
	}));
}

export type Usage = { bytes: number; files: number };

/** Bytes and files an organization stores, all buckets together. */
export async function usage(trx: Trx, orgId: string): Promise<Usage> {
	const { rows } = await sql<{
		bytes: string;
		files: string;
	}>`select bytes, files from public.files_usage(${orgId})`.execute(trx);
	return { bytes: Number(rows[0]?.bytes ?? 0), files: Number(rows[0]?.files ?? 0) };
}

/** Sets a file's description for screen readers and sites (files.write; RLS decides). */
export async function describe(
	trx: Trx,
	orgId: string,
	id: string,
	altText: string
): Promise<boolean> {
	const result = await trx
		.updateTable('files')
		.set({ alt_text: altText })
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	return Number(result.numUpdatedRows) === 1;
}

export { FOLDER_MARKER };
