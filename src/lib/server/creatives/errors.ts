// Typed errors of the creatives module; the route maps them to statuses, with
// the form field at fault where there is one.

/** Input that names something that is not part of this campaign's brief, or a file that does not fit. */
export class CreativeInputError extends Error {
	override readonly name = 'CreativeInputError';
	constructor(
		readonly field: string,
		message: string,
		readonly status: 400 | 404 | 422 = 400
	) {
		super(message);
	}
}

/** The person lacks the permission the action needs (the database would refuse it too). */
export class CreativePermissionError extends Error {
	override readonly name = 'CreativePermissionError';
	constructor(message = 'You do not have permission to do that.') {
		super(message);
	}
}
