// Typed errors of the webhooks module; routes map them to fail()/error().

/** A field of a webhook or endpoint is refused; names the field. */
export class WebhookInputError extends Error {
	override readonly name = 'WebhookInputError';
	readonly field: string;
	constructor(field: string, message: string) {
		super(message);
		this.field = field;
	}
}

/** No webhook, delivery or endpoint the caller may see has this id. */
export class WebhookNotFoundError extends Error {
	override readonly name = 'WebhookNotFoundError';
	readonly id: string;
	constructor(id: string, what = 'Webhook') {
		super(`${what} not found.`);
		this.id = id;
	}
}
