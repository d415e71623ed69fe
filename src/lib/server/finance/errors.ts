// Typed errors of the finance module; routes map them to statuses.

/** No document the caller may see has this id. */
export class DocumentNotFoundError extends Error {
	override readonly name = 'DocumentNotFoundError';
	constructor() {
		super('Document not found.');
	}
}

/** A page link (cursor) that no longer decodes. */
export class DocumentCursorError extends Error {
	override readonly name = 'DocumentCursorError';
	constructor() {
		super('That page link is not valid any more; start from the first page.');
	}
}

/** The organization's finance settings are not this person's to change. */
export class FinanceSettingsDeniedError extends Error {
	override readonly name = 'FinanceSettingsDeniedError';
	constructor() {
		super('Only people who manage the organization’s settings can change these.');
	}
}

/** A purchase order's PDF cannot be generated or stored (the reason in words). */
export class PoFileError extends Error {
	override readonly name = 'PoFileError';
}
