// Typed errors of the marketplace module; routes map them to 400/404.

/** A page link that does not decode to a position (tampered with, or from another sort). */
export class InvalidCursorError extends Error {
	override readonly name = 'InvalidCursorError';
	constructor() {
		super('That page link is not valid any more; start from the first page.');
	}
}

export class RunNotFoundError extends Error {
	override readonly name = 'RunNotFoundError';
	constructor() {
		super('No such data run, or it belongs to another workspace.');
	}
}

/** A marketplace influencer that is not (or no longer) in the marketplace. */
export class MarketplaceInfluencerNotFoundError extends Error {
	override readonly name = 'MarketplaceInfluencerNotFoundError';
	constructor() {
		super('That influencer is no longer in the marketplace.');
	}
}
