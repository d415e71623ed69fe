// Checks a rule tree against an organization: fields exist (and were not
// deleted), each operator fits its field's type, values have the right type.
// Every problem is reported with the path of the rule it is in, so the segment
// builder can point at it.
import type { FieldDefinition } from '../contacts/fields.ts';
import { SegmentRuleError, type RuleIssue } from './errors.ts';
import {
	CONTACT_STATUSES,
	rootRuleSchema,
	STANDARD_FIELDS,
	type FieldCondition,
	type Operator,
	type Rule,
	type RuleGroup
} from './rules.ts';

/** What a rule tree is checked against. */
export type RuleContext = {
	orgId: string;
	fields: ReadonlyMap<string, FieldDefinition>;
	tagIds: ReadonlySet<string>;
};

/** The operand type a field's operators follow. */
export type OperandType =
	'text' | 'status' | 'timestamp' | 'number' | 'date' | 'boolean' | 'select' | 'multi_select';

export const OPERATORS_BY_TYPE: Record<OperandType, readonly Operator[]> = {
	text: [
		'equals',
		'not_equals',
		'contains',
		'not_contains',
		'starts_with',
		'in',
		'not_in',
		'is_set',
		'is_empty'
	],
	status: ['equals', 'not_equals', 'in', 'not_in'],
	timestamp: ['equals', 'before', 'after', 'between', 'within_last_days'],
	number: [
		'equals',
		'not_equals',
		'greater_than',
		'less_than',
		'between',
		'in',
		'not_in',
		'is_set',
		'is_empty'
	],
	date: ['equals', 'before', 'after', 'between', 'within_last_days', 'is_set', 'is_empty'],
	boolean: ['equals', 'is_set', 'is_empty'],
	select: ['equals', 'not_equals', 'in', 'not_in', 'is_set', 'is_empty'],
	multi_select: ['contains', 'not_contains', 'in', 'is_set', 'is_empty']
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDate(value: unknown): value is string {
	if (typeof value !== 'string' || !ISO_DATE.test(value)) return false;
	const date = new Date(`${value}T00:00:00Z`);
	return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/** The operand type of a condition's field, or an issue when there is no such field. */
export function operandOf(
	field: string,
	ctx: RuleContext
): { type: OperandType; definition?: FieldDefinition } | string {
	if (field.startsWith('custom.')) {
		const key = field.slice('custom.'.length);
		const definition = ctx.fields.get(key);
		if (!definition)
			return `refers to the custom field "${key}", which does not exist (it may have been deleted).`;
		return { type: definition.type, definition };
	}
	if (field in STANDARD_FIELDS)
		return { type: STANDARD_FIELDS[field as keyof typeof STANDARD_FIELDS] };
	return `refers to "${field}", which is not a contact field (custom fields are written "custom.<key>").`;
}

function valueProblem(type: OperandType, value: unknown): string | null {
	switch (type) {
		case 'text':
		case 'select':
		case 'multi_select':
			return typeof value === 'string' ? null : 'expects text';
		case 'status':
			return CONTACT_STATUSES.includes(value as never)
				? null
				: `expects one of ${CONTACT_STATUSES.join(', ')}`;
		case 'number':
			return typeof value === 'number' ? null : 'expects a number';
		case 'boolean':
			return typeof value === 'boolean' ? null : 'expects true or false';
		case 'date':
		case 'timestamp':
			return isIsoDate(value) ? null : 'expects a date (YYYY-MM-DD)';
	}
}

function checkCondition(rule: FieldCondition, ctx: RuleContext): string | null {
	const operand = operandOf(rule.field, ctx);
	if (typeof operand === 'string') return operand;
	const { type } = operand;
	const { operator, value } = rule;
	if (!OPERATORS_BY_TYPE[type].includes(operator))
		return `operator "${operator}" does not apply to ${rule.field} (a ${type.replace('_', '-')} field); use one of ${OPERATORS_BY_TYPE[type].join(', ')}.`;
	if (operator === 'is_set' || operator === 'is_empty')
		return value === undefined ? null : `operator "${operator}" takes no value.`;
	if (value === undefined) return `operator "${operator}" needs a value.`;
	if (operator === 'within_last_days')
		return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 3650
			? null
			: 'expects a whole number of days between 1 and 3650.';
	if (operator === 'in' || operator === 'not_in' || operator === 'between') {
		if (!Array.isArray(value)) return `operator "${operator}" expects a list of values.`;
		if (operator === 'between' && value.length !== 2)
			return 'operator "between" expects exactly two values, the lower and the upper bound.';
		for (const item of value) {
			const problem = valueProblem(type, item);
			if (problem) return `${problem} (got ${JSON.stringify(item)}).`;
		}
		if (operator === 'between' && value[0]! > value[1]!)
			return 'the lower bound of "between" is above the upper bound.';
		return null;
	}
	if (Array.isArray(value)) return `operator "${operator}" expects a single value, not a list.`;
	const problem = valueProblem(type, value);
	return problem ? `${problem} (got ${JSON.stringify(value)}).` : null;
}

function collect(rule: Rule, ctx: RuleContext, path: (string | number)[], issues: RuleIssue[]) {
	switch (rule.kind) {
		case 'group':
			rule.rules.forEach((child, i) => collect(child, ctx, [...path, 'rules', i], issues));
			return;
		case 'field': {
			const message = checkCondition(rule, ctx);
			if (message)
				issues.push({ path, message: `${message[0]!.toUpperCase()}${message.slice(1)}` });
			return;
		}
		case 'tag':
			if (!ctx.tagIds.has(rule.tagId))
				issues.push({
					path,
					message: 'Refers to a tag that does not exist (it may have been deleted).'
				});
			return;
		case 'event':
			return;
	}
}

/**
 * Parses untrusted input into a rule tree that fits the organization, or
 * throws SegmentRuleError listing every problem with its path.
 */
export function validateRules(input: unknown, ctx: RuleContext): RuleGroup {
	const parsed = rootRuleSchema.safeParse(input);
	if (!parsed.success)
		throw new SegmentRuleError(
			parsed.error.issues.map((i) => ({
				path: i.path.filter((p): p is string | number => typeof p !== 'symbol'),
				message: i.message
			}))
		);
	const issues: RuleIssue[] = [];
	collect(parsed.data, ctx, [], issues);
	if (issues.length) throw new SegmentRuleError(issues);
	return parsed.data;
}
