// Segments: the rule language, its compiler, saved segments, live counts and
// memberships. Use as a namespace: `import * as segments from '$lib/server/segments'`.
export {
	countMatching,
	listSegments,
	largestSegments,
	getSegment,
	createSegment,
	updateSegment,
	deleteSegment,
	isMember,
	type Segment,
	type SegmentInput
} from './segments.ts';
export { refresh, applyPending, scheduleRefresh, type RefreshResult } from './membership.ts';
export { compileRule, segmentWhere, escapeLike } from './compile.ts';
export {
	validateRules,
	OPERATORS_BY_TYPE,
	type RuleContext,
	type OperandType
} from './validate.ts';
export {
	ruleSchema,
	rootRuleSchema,
	formatPath,
	STANDARD_FIELDS,
	OPERATORS,
	type Rule,
	type RuleGroup,
	type Condition,
	type FieldCondition,
	type TagCondition,
	type EventCondition
} from './rules.ts';
export { builderContext } from './builder.ts';
export { SegmentRuleError, SegmentNotFoundError, type RuleIssue } from './errors.ts';
