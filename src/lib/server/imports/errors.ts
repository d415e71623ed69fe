/**
 * The uploaded file cannot be read as CSV/TSV. `where` names the place when
 * it can: "Row 3" (a spreadsheet row, header = 1) or "Line 7" (a line of the
 * text file, for errors found before rows are told apart).
 */
export class ImportFileError extends Error {
	override readonly name = 'ImportFileError';
	readonly where: string | undefined;
	constructor(message: string, where?: string) {
		super(where === undefined ? message : `${where}: ${message}`);
		this.where = where;
	}
}

/** The column mapping or the options do not fit the file or the organization. */
export class ImportMappingError extends Error {
	override readonly name = 'ImportMappingError';
	/** Index of the column at fault, when there is one. */
	readonly column: number | undefined;
	constructor(message: string, column?: number) {
		super(message);
		this.column = column;
	}
}

/** No import the caller may see has this id. */
export class ImportNotFoundError extends Error {
	override readonly name = 'ImportNotFoundError';
	readonly importId: string;
	constructor(importId: string) {
		super('Import not found.');
		this.importId = importId;
	}
}

/** The import was cancelled while running; everything it did is rolled back. */
export class ImportCancelledError extends Error {
	override readonly name = 'ImportCancelledError';
	constructor() {
		super('The import was cancelled.');
	}
}

/** The import is not in a state that allows this (e.g. cancelling a finished one). */
export class ImportStateError extends Error {
	override readonly name = 'ImportStateError';
	readonly status: string;
	constructor(status: string, message: string) {
		super(message);
		this.status = status;
	}
}
