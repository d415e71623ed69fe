// Typed errors of the brand lift module; routes map them to statuses. (No
// parameter properties: the benchmark runs these files with Node's type
// stripping.)

/** No study the caller may see (or the campaign has none yet). */
export class StudyNotFoundError extends Error {
	override readonly name = 'StudyNotFoundError';
	constructor() {
		super('This campaign has no brand lift study yet.');
	}
}

/** The planned sample cannot detect the target lift: the launch is refused with the numbers. */
export class UnderpoweredError extends Error {
	override readonly name = 'UnderpoweredError';
	readonly field = 'planned_sample';
	readonly needed: number;
	readonly planned: number;
	constructor(message: string, needed: number, planned: number) {
		super(message);
		this.needed = needed;
		this.planned = planned;
	}
}

export type SurveyRefusal = 'unknown' | 'closed' | 'answered' | 'invalid' | 'rate_limited';

/** A refusal of the public survey: an unknown link, a closed study, a second answer, bad answers, too many attempts. */
export class SurveyRefusedError extends Error {
	override readonly name = 'SurveyRefusedError';
	readonly reason: SurveyRefusal;
	readonly status: 400 | 404 | 409 | 410 | 422 | 429;
	readonly field: string | undefined;
	constructor(
		message: string,
		reason: SurveyRefusal,
		status: 400 | 404 | 409 | 410 | 422 | 429,
		field?: string
	) {
		super(message);
		this.reason = reason;
		this.status = status;
		this.field = field;
	}
}
