// Imports and exports of contacts. Use as a namespace:
// `import * as imports from '$lib/server/imports'`. The worker's side is
// runImport/recordOutcome (pipeline.ts); everything else runs under RLS.
export {
	upload,
	preview,
	start,
	cancel,
	get,
	list,
	remove,
	errorReport,
	type ImportJob,
	type ImportPreview,
	type ImportStatus
} from './service.ts';
export { exportCsv, csvCell, type ExportSource } from './export.ts';
export {
	runImport,
	recordOutcome,
	BATCH_ROWS,
	type ImportConnection,
	type ImportOutcome,
	type ProgressPatch,
	type Reporter
} from './pipeline.ts';
export { LocalFileStore, defaultFileStore, type ImportFileStore } from './files.ts';
export { suggestMapping, checkMapping, STANDARD_TARGETS, type Target } from './mapping.ts';
export {
	sniff,
	detectEncoding,
	SNIFF_BYTES,
	type Encoding,
	type Format,
	type Sniffed
} from './sniff.ts';
export {
	importOptionsSchema,
	startImportSchema,
	TAG_SEPARATORS,
	type StartImportInput,
	type TagSeparator
} from './schemas.ts';
export {
	ImportFileError,
	ImportMappingError,
	ImportNotFoundError,
	ImportCancelledError,
	ImportStateError
} from './errors.ts';
