/** No contact the caller may see has this id (or it belongs to another organization). */
export class ContactNotFoundError extends Error {
	override readonly name = 'ContactNotFoundError';
	readonly contactId: string;
	constructor(contactId: string) {
		super('Contact not found.');
		this.contactId = contactId;
	}
}

/** A custom value does not fit its field, or a field is unknown; names the field. */
export class ContactFieldError extends Error {
	override readonly name = 'ContactFieldError';
	/** `custom.<key>` or a field key. */
	readonly field: string;
	constructor(field: string, message: string) {
		super(message);
		this.field = field;
	}
}

/** The caller lacks the permission an operation needs (e.g. contacts.export). */
export class ContactPermissionError extends Error {
	override readonly name = 'ContactPermissionError';
	readonly permission: string;
	constructor(permission: string) {
		super(`You need the ${permission} permission to do that.`);
		this.permission = permission;
	}
}
