// Typed errors of the influencer CRM; routes map them to statuses.

/** No influencer record the caller may see has this id (or it is another organization's). */
export class InfluencerNotFoundError extends Error {
	override readonly name = 'InfluencerNotFoundError';
	constructor() {
		super('This influencer is not in your list (it may have been deleted).');
	}
}

/** A page link (cursor) that no longer decodes. */
export class InfluencerCursorError extends Error {
	override readonly name = 'InfluencerCursorError';
	constructor() {
		super('That page link is not valid any more; start from the first page.');
	}
}

/** Outreach needs an email address on the record. */
export class NoEmailError extends Error {
	override readonly name = 'NoEmailError';
	constructor() {
		super('Add an email address to this influencer before writing to them.');
	}
}

/** The marketplace influencer to add does not exist. */
export class MarketplaceInfluencerNotFoundError extends Error {
	override readonly name = 'MarketplaceInfluencerNotFoundError';
	constructor() {
		super('That influencer is no longer in the marketplace.');
	}
}
