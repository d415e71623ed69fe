// Where files live in Storage and how their names are checked, shared by the
// browser (uploads, moves) and the server (lists). Every object name is
// `<organization id>/<folder>/…/<file name>`: the policies on storage.objects
// read the organization from the first segment (migration `files`).

/** The app's buckets (created by the `files` migration). */
export const BUCKETS = ['org-files', 'campaign-creatives', 'site-public'] as const;
export type Bucket = (typeof BUCKETS)[number];

/** Storage's marker object that keeps an empty folder (as Supabase Studio writes it). */
export const FOLDER_MARKER = '.emptyFolderPlaceholder';

/** Above this size an upload goes through resumable (TUS) uploads, in chunks of this size. */
export const RESUMABLE_THRESHOLD = 6 * 1024 * 1024;

const MAX_NAME = 200;
const MAX_FOLDER_DEPTH = 10;

export function isBucket(value: string): value is Bucket {
	return (BUCKETS as readonly string[]).includes(value);
}

/**
 * Why a file or folder name cannot be used, in the person's words, or null when
 * it can: no slashes (they make folders), no `.`/`..`, no control characters,
 * not the marker's name, at most 200 characters.
 */
export function nameProblem(name: string): string | null {
	const trimmed = name.trim();
	if (!trimmed) return 'Enter a name.';
	if (trimmed.length > MAX_NAME) return `Keep the name under ${MAX_NAME} characters.`;
	if (trimmed.includes('/') || trimmed.includes('\\')) return 'A name cannot contain a slash.';
	if (trimmed === '.' || trimmed === '..') return 'Choose a name other than dots.';
	// eslint-disable-next-line no-control-regex
	if (/[\u0000-\u001f\u007f]/.test(trimmed)) return 'A name cannot contain control characters.';
	if (trimmed === FOLDER_MARKER) return 'That name is reserved.';
	return null;
}

/** A folder path as the URL and the catalogue hold it: segments joined by '/', '' at the top. */
export function normalizeFolder(folder: string | null | undefined): string | null {
	if (!folder) return '';
	const segments = folder.split('/').filter((s) => s.length > 0);
	if (segments.length > MAX_FOLDER_DEPTH) return null;
	if (segments.some((s) => nameProblem(s) !== null || s !== s.trim())) return null;
	return segments.join('/');
}

export function joinFolder(folder: string, name: string): string {
	return folder ? `${folder}/${name}` : name;
}

/** The parent of a folder ('' for one at the top). */
export function parentFolder(folder: string): string {
	const at = folder.lastIndexOf('/');
	return at < 0 ? '' : folder.slice(0, at);
}

/** The last segment of a folder path. */
export function folderName(folder: string): string {
	return folder.slice(folder.lastIndexOf('/') + 1);
}

/** The Storage object name of a file in an organization's folder. */
export function objectName(orgId: string, folder: string, fileName: string): string {
	return [orgId, ...(folder ? folder.split('/') : []), fileName].join('/');
}

/** The object that keeps a folder when it is empty. */
export function folderMarker(orgId: string, folder: string): string {
	return objectName(orgId, folder, FOLDER_MARKER);
}

/** The breadcrumbs of a folder: each ancestor with its path. */
export function breadcrumbs(folder: string): { name: string; path: string }[] {
	const segments = folder ? folder.split('/') : [];
	return segments.map((name, i) => ({ name, path: segments.slice(0, i + 1).join('/') }));
}

/** The kinds the asset manager filters by. */
export const KINDS = ['image', 'video', 'pdf', 'document', 'other'] as const;
export type FileKind = (typeof KINDS)[number];

export const KIND_LABELS: Record<FileKind, string> = {
	image: 'Images',
	video: 'Videos',
	pdf: 'PDFs',
	document: 'Documents',
	other: 'Other files'
};

export function kindOf(mimeType: string | null): FileKind {
	const type = (mimeType ?? '').toLowerCase();
	if (type.startsWith('image/')) return 'image';
	if (type.startsWith('video/')) return 'video';
	if (type === 'application/pdf') return 'pdf';
	if (
		type.startsWith('text/') ||
		type.includes('word') ||
		type.includes('excel') ||
		type.includes('spreadsheet') ||
		type.includes('powerpoint') ||
		type.includes('presentation')
	)
		return 'document';
	return 'other';
}

/** A size in the units people read: 0 bytes, 12 KB, 3.4 MB, 1.2 GB. */
export function formatBytes(bytes: number): string {
	if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
	const units = ['KB', 'MB', 'GB', 'TB'];
	let value = bytes / 1024;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit += 1;
	}
	return `${value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** A name that is not taken in a list, as a file manager suggests: "logo (2).png". */
export function freeName(name: string, taken: ReadonlySet<string>): string {
	if (!taken.has(name)) return name;
	const dot = name.lastIndexOf('.');
	const stem = dot > 0 ? name.slice(0, dot) : name;
	const ext = dot > 0 ? name.slice(dot) : '';
	for (let n = 2; ; n += 1) {
		const candidate = `${stem} (${n})${ext}`;
		if (!taken.has(candidate)) return candidate;
	}
}
