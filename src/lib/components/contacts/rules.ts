// The segment builder's side of the rule language: words for fields and
// operators, empty conditions to start from, where a server issue belongs in
// the tree, and which custom fields a rule tree uses. The language itself
// (schema, operators by type, compiler) lives in $lib/server/segments; the
// builder receives its tables from the page's load, so both agree.
import type { Condition, FieldCondition, Rule, RuleGroup } from '$lib/server/segments/rules';
import type { OperandType } from '$lib/server/segments/validate';

export type { Condition, FieldCondition, Rule, RuleGroup, OperandType };
export type Operator = FieldCondition['operator'];

/** What the builder knows of the organization (sent by the page's load). */
export type BuilderContext = {
	standardFields: Record<string, OperandType>;
	operatorsByType: Record<OperandType, readonly Operator[]>;
	fields: Array<{ key: string; label: string; type: OperandType; options: string[] }>;
	tags: Array<{ id: string; name: string }>;
	statuses: readonly string[];
};

export const STANDARD_LABELS: Record<string, string> = {
	email: 'Email',
	phone: 'Phone',
	first_name: 'First name',
	last_name: 'Last name',
	company: 'Company',
	source: 'Source',
	status: 'Email status',
	created_at: 'Added on',
	updated_at: 'Updated on'
};

export const OPERATOR_LABELS: Record<Operator, string> = {
	equals: 'is',
	not_equals: 'is not',
	contains: 'contains',
	not_contains: 'does not contain',
	starts_with: 'starts with',
	in: 'is any of',
	not_in: 'is none of',
	greater_than: 'is greater than',
	less_than: 'is less than',
	between: 'is between',
	before: 'is before',
	after: 'is after',
	within_last_days: 'is within the last',
	is_set: 'is set',
	is_empty: 'is empty'
};

/** The operand type and choices of a condition's field, or null for an unknown field. */
export function fieldInfo(
	field: string,
	ctx: BuilderContext
): { type: OperandType; label: string; options: readonly string[] } | null {
	if (field.startsWith('custom.')) {
		const def = ctx.fields.find((f) => `custom.${f.key}` === field);
		return def ? { type: def.type, label: def.label, options: def.options } : null;
	}
	const type = ctx.standardFields[field];
	if (!type) return null;
	return {
		type,
		label: STANDARD_LABELS[field] ?? field,
		options: type === 'status' ? ctx.statuses : []
	};
}

/** A value that fits a field's type and an operator, to start from. */
export function initialValue(
	type: OperandType,
	operator: Operator,
	options: readonly string[]
): FieldCondition['value'] {
	if (operator === 'is_set' || operator === 'is_empty') return undefined;
	if (operator === 'within_last_days') return 30;
	if (operator === 'in' || operator === 'not_in') return options.length ? [] : undefined;
	if (operator === 'between') return undefined;
	if (type === 'boolean') return true;
	if ((type === 'select' || type === 'status' || type === 'multi_select') && options.length)
		return options[0];
	return undefined;
}

export function newCondition(): FieldCondition {
	return { kind: 'field', field: 'email', operator: 'contains', value: '' };
}

/** A group, with one condition to fill in unless `empty`. */
export function newGroup(match: 'all' | 'any' = 'all', empty = false): RuleGroup {
	return { kind: 'group', match, rules: empty ? [] : [newCondition()] };
}

/**
 * The condition or group a server issue is about, as a key: the issue's path
 * cut back to its last `rules[i]` step ("rules.0.rules.1"); "" is the root.
 */
export function issueKey(path: readonly (string | number)[]): string {
	let end = 0;
	for (let i = 0; i + 1 < path.length; i += 2) {
		if (path[i] !== 'rules' || typeof path[i + 1] !== 'number') break;
		end = i + 2;
	}
	return path.slice(0, end).join('.');
}

export function childKey(parent: string, index: number): string {
	return parent ? `${parent}.rules.${index}` : `rules.${index}`;
}

/** Problems the builder can see before asking the server (a condition not filled in yet). */
export function localIssues(rule: Rule, key = ''): Map<string, string> {
	const issues = new Map<string, string>();
	const walk = (r: Rule, k: string) => {
		if (r.kind === 'group') {
			r.rules.forEach((child, i) => walk(child, childKey(k, i)));
			return;
		}
		if (r.kind === 'field' && r.operator !== 'is_set' && r.operator !== 'is_empty') {
			const v = r.value;
			const missing = (x: unknown) => x === undefined || x === null || x === '';
			if (missing(v) || (typeof v === 'number' && Number.isNaN(v))) issues.set(k, 'Enter a value.');
			else if (Array.isArray(v) && v.length === 0) issues.set(k, 'Choose at least one value.');
			else if (r.operator === 'between' && Array.isArray(v) && (v.length < 2 || v.some(missing)))
				issues.set(k, 'Enter both bounds.');
		}
		if (r.kind === 'tag' && !r.tagId) issues.set(k, 'Choose a tag.');
		if (r.kind === 'event' && !r.eventType) issues.set(k, 'Choose an event.');
		if (r.kind === 'event' && !(Number.isInteger(r.withinDays) && r.withinDays >= 1))
			issues.set(k, 'Enter a number of days (1 or more).');
	};
	walk(rule, key);
	return issues;
}

/** The custom field keys a rule tree uses ("plan" for custom.plan). */
export function customFieldsUsed(rule: unknown): Set<string> {
	const keys = new Set<string>();
	const walk = (r: unknown) => {
		if (!r || typeof r !== 'object') return;
		const node = r as { kind?: unknown; rules?: unknown; field?: unknown };
		if (node.kind === 'group' && Array.isArray(node.rules)) node.rules.forEach(walk);
		if (node.kind === 'field' && typeof node.field === 'string' && node.field.startsWith('custom.'))
			keys.add(node.field.slice('custom.'.length));
	};
	walk(rule);
	return keys;
}

/** How many conditions a tree holds. */
export function countConditions(rule: Rule): number {
	return rule.kind === 'group' ? rule.rules.reduce((n, r) => n + countConditions(r), 0) : 1;
}
