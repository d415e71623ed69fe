// Typed errors of the collaborations module; routes map them to statuses,
// with the form field at fault where there is one.

/** Input the module refuses before the database sees it, or something not on this campaign. */
export class CollaborationInputError extends Error {
	override readonly name = 'CollaborationInputError';
	constructor(
		readonly field: string,
		message: string,
		readonly status: 400 | 403 | 404 | 409 | 422 = 400
	) {
		super(message);
	}
}

/** No such collaboration (or seeded product) in this organization's campaign. */
export class CollaborationNotFoundError extends Error {
	override readonly name = 'CollaborationNotFoundError';
	constructor(message = 'That collaboration is not on this campaign.') {
		super(message);
	}
}
