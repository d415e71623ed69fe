// Files: the catalogue of what the organization keeps in Storage.
// Use as a namespace: `import * as files from '$lib/server/files'`.
// Relative `.ts` imports throughout: the worker runs this code under plain Node.
export {
	list,
	subfolders,
	allFolders,
	get,
	byObjectName,
	objectsUnder,
	usage,
	describe,
	type FileRecord,
	type FolderListing,
	type ListFilter,
	type Usage
} from './files.ts';
export { altTextSchema, listQuerySchema, type ListQuery } from './schemas.ts';
