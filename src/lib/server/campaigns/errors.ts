// Typed errors of the campaigns module; routes map them to statuses.

/** No campaign the caller may see has this id (or it belongs to another organization). */
export class CampaignNotFoundError extends Error {
	override readonly name = 'CampaignNotFoundError';
	constructor() {
		super('Campaign not found.');
	}
}

/** Steps are not complete: submission lists what is missing, with the step of each. */
export class CampaignIncompleteError extends Error {
	override readonly name = 'CampaignIncompleteError';
	readonly problems: import('../../campaigns/steps.ts').Problem[];
	constructor(problems: import('../../campaigns/steps.ts').Problem[]) {
		super(
			problems.length === 1
				? 'One thing is missing before this campaign can be submitted.'
				: `${problems.length} things are missing before this campaign can be submitted.`
		);
		this.problems = problems;
	}
}

/** A page link (cursor) that no longer decodes. */
export class CampaignCursorError extends Error {
	override readonly name = 'CampaignCursorError';
	constructor() {
		super('That page link is not valid any more; start from the first page.');
	}
}
