// The segment rule tree: nested AND/OR groups of conditions on standard
// fields, custom fields, tags and events. This schema checks the shape only;
// whether a field exists, which operators its type takes and what values they
// need is checked against the organization's definitions in validate.ts.
import { z } from 'zod';
import { Constants } from '../../database.types.ts';
import { shallow } from '../../json-bounds.ts';

/** Standard contact columns a rule may test, with the type their operators follow. */
export const STANDARD_FIELDS = {
	email: 'text',
	phone: 'text',
	first_name: 'text',
	last_name: 'text',
	company: 'text',
	source: 'text',
	status: 'status',
	created_at: 'timestamp',
	updated_at: 'timestamp'
} as const;
export type StandardField = keyof typeof STANDARD_FIELDS;

export const CONTACT_STATUSES = Constants.public.Enums.contact_status;

export const OPERATORS = [
	'equals',
	'not_equals',
	'contains',
	'not_contains',
	'starts_with',
	'in',
	'not_in',
	'greater_than',
	'less_than',
	'between',
	'before',
	'after',
	'within_last_days',
	'is_set',
	'is_empty'
] as const;
export type Operator = (typeof OPERATORS)[number];

const scalar = z.union([z.string().max(500), z.number().finite(), z.boolean()]);

export const fieldConditionSchema = z.object({
	kind: z.literal('field'),
	/** A standard field (`email`) or a custom one (`custom.plan`). */
	field: z
		.string()
		.regex(
			/^(custom\.)?[a-z][a-z0-9_]{0,39}$/,
			'Use a field name such as "email" or "custom.plan".'
		),
	operator: z.enum(OPERATORS),
	value: z.union([scalar, z.array(scalar).min(1).max(500)]).optional()
});

export const tagConditionSchema = z.object({
	kind: z.literal('tag'),
	operator: z.enum(['has', 'has_not']),
	tagId: z.uuid()
});

export const eventConditionSchema = z.object({
	kind: z.literal('event'),
	operator: z.enum(['did', 'did_not']),
	eventType: z
		.string()
		.max(100)
		.regex(/^[a-z][a-z_]*(\.[a-z][a-z_]*)+$/, 'Use an event type such as "email.opened".'),
	withinDays: z.number().int().min(1).max(3650)
});

export type FieldCondition = z.infer<typeof fieldConditionSchema>;
export type TagCondition = z.infer<typeof tagConditionSchema>;
export type EventCondition = z.infer<typeof eventConditionSchema>;
export type Condition = FieldCondition | TagCondition | EventCondition;
export type RuleGroup = { kind: 'group'; match: 'all' | 'any'; rules: Rule[] };
export type Rule = RuleGroup | Condition;

export const ruleSchema: z.ZodType<Rule> = z.lazy(() =>
	z.union([groupSchema, fieldConditionSchema, tagConditionSchema, eventConditionSchema])
);

const groupSchema: z.ZodType<RuleGroup> = z.object({
	kind: z.literal('group'),
	/** all = AND, any = OR. */
	match: z.enum(['all', 'any']),
	rules: z.array(ruleSchema).max(50)
});

const MAX_DEPTH = 5;
const MAX_CONDITIONS = 100;
/** The form's bound too (segments/schema.ts); the database allows more. */
const MAX_CHARS = 200_000;

/**
 * A segment's root: always a group, at most 5 deep, 100 conditions and
 * 200,000 characters in all. A tree nested far deeper (written around the
 * app) is refused before the recursive schema walks it.
 */
export const rootRuleSchema = shallow(
	groupSchema.superRefine((root, ctx) => {
		let conditions = 0;
		const walk = (rule: Rule, depth: number, path: (string | number)[]) => {
			if (rule.kind !== 'group') {
				conditions++;
				return;
			}
			if (depth > MAX_DEPTH) {
				ctx.addIssue({ code: 'custom', path, message: `Groups nest at most ${MAX_DEPTH} deep.` });
				return;
			}
			rule.rules.forEach((child, i) => walk(child, depth + 1, [...path, 'rules', i]));
		};
		walk(root, 1, []);
		if (conditions > MAX_CONDITIONS)
			ctx.addIssue({ code: 'custom', path: [], message: `At most ${MAX_CONDITIONS} conditions.` });
		if (JSON.stringify(root).length > MAX_CHARS)
			ctx.addIssue({
				code: 'custom',
				path: [],
				message: `The rules are too long (at most ${MAX_CHARS.toLocaleString('en-US')} characters).`
			});
	}),
	`Groups nest at most ${MAX_DEPTH} deep.`
);

/** A path into the rule tree as people read it: `rules[1].rules[0]`. */
export function formatPath(path: readonly PropertyKey[]): string {
	if (path.length === 0) return 'the rule tree';
	return path
		.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
		.join('');
}
