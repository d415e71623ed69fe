import { formatPath } from './rules.ts';

export type RuleIssue = { path: (string | number)[]; message: string };

/** The rule tree is malformed or does not fit the organization's fields and tags. */
export class SegmentRuleError extends Error {
	override readonly name = 'SegmentRuleError';
	/** Every problem, with the path of the rule it is in. */
	readonly issues: RuleIssue[];
	constructor(issues: RuleIssue[]) {
		super(issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; '));
		this.issues = issues;
	}
}

/** No segment the caller may see has this id. */
export class SegmentNotFoundError extends Error {
	override readonly name = 'SegmentNotFoundError';
	readonly segmentId: string;
	constructor(segmentId: string) {
		super('Segment not found.');
		this.segmentId = segmentId;
	}
}
