// Compiles a validated rule tree into a boolean SQL expression over the
// contacts table aliased `c`. Every value and every custom field key is a bound
// parameter; the only SQL text is fixed here. Postgres plans these queries with
// their parameter values (unnamed statements get custom plans), so
// `c.custom ->> $1` still matches the expression index of an indexed field —
// the expressions below are exactly those private.contact_field_index_expression()
// builds.
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { FieldCondition, Rule, StandardField } from './rules.ts';
import { operandOf, type RuleContext } from './validate.ts';

type Sql = RawBuilder<unknown>;

/** Standard fields as fixed SQL (never identifiers built from input). */
const COLUMNS: Record<StandardField, Sql> = {
	email: sql`c.email::text`,
	phone: sql`c.phone`,
	first_name: sql`c.first_name`,
	last_name: sql`c.last_name`,
	company: sql`c.company`,
	source: sql`c.source`,
	status: sql`c.status`,
	created_at: sql`c.created_at`,
	updated_at: sql`c.updated_at`
};

const TRUE = sql<SqlBool>`true`;
const FALSE = sql<SqlBool>`false`;

/** `%` and `_` in a user's text are literal, not wildcards. */
export function escapeLike(text: string): string {
	return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function textCondition(x: Sql, operator: string, value: unknown): RawBuilder<SqlBool> {
	const v = value as string;
	const list = () => (value as string[]).map((s) => s.toLowerCase());
	switch (operator) {
		case 'equals':
			return sql`lower(${x}) = lower(${v}::text)`;
		case 'not_equals':
			return sql`lower(${x}) is distinct from lower(${v}::text)`;
		case 'contains':
			return sql`${x} ilike ${`%${escapeLike(v)}%`}`;
		case 'not_contains':
			return sql`coalesce(${x}, '') not ilike ${`%${escapeLike(v)}%`}`;
		case 'starts_with':
			return sql`${x} ilike ${`${escapeLike(v)}%`}`;
		case 'in':
			return sql`lower(${x}) = any(${list()}::text[])`;
		case 'not_in':
			return sql`(${x} is null or not lower(${x}) = any(${list()}::text[]))`;
		case 'is_set':
			return sql`nullif(${x}, '') is not null`;
		case 'is_empty':
			return sql`nullif(${x}, '') is null`;
	}
	throw new Error(`unsupported text operator ${operator}`);
}

/** Exact comparisons: select options, ISO dates (which sort as text), booleans as text. */
function exactCondition(x: Sql, operator: string, value: unknown): RawBuilder<SqlBool> {
	const v = typeof value === 'boolean' ? String(value) : (value as string);
	switch (operator) {
		case 'equals':
			return sql`${x} = ${v}`;
		case 'not_equals':
			return sql`${x} is distinct from ${v}`;
		case 'in':
			return sql`${x} = any(${value}::text[])`;
		case 'not_in':
			return sql`(${x} is null or not ${x} = any(${value}::text[]))`;
		case 'before':
			return sql`${x} < ${v}`;
		case 'after':
			return sql`${x} > ${v}`;
		case 'between': {
			const [low, high] = value as [string, string];
			return sql`${x} between ${low} and ${high}`;
		}
		case 'within_last_days':
			return sql`${x} between to_char(current_date - ${value}::integer, 'YYYY-MM-DD') and to_char(current_date, 'YYYY-MM-DD')`;
		case 'is_set':
			return sql`nullif(${x}, '') is not null`;
		case 'is_empty':
			return sql`nullif(${x}, '') is null`;
	}
	throw new Error(`unsupported operator ${operator}`);
}

/**
 * A number field reads as null unless the stored value is a JSON number: a
 * value stored around the checks (or before them) must not fail the whole
 * statement, and with it every count and membership build of the organization.
 */
function numberCondition(key: string, operator: string, value: unknown): RawBuilder<SqlBool> {
	const raw = sql`(c.custom ->> ${key})`;
	const x = sql`(case when jsonb_typeof(c.custom -> ${key}) = 'number' then (c.custom ->> ${key})::numeric end)`;
	switch (operator) {
		case 'equals':
			return sql`${x} = ${value}`;
		case 'not_equals':
			return sql`${x} is distinct from ${value}`;
		case 'greater_than':
			return sql`${x} > ${value}`;
		case 'less_than':
			return sql`${x} < ${value}`;
		case 'between': {
			const [low, high] = value as [number, number];
			return sql`${x} between ${low} and ${high}`;
		}
		case 'in':
			return sql`${x} = any(${value}::numeric[])`;
		case 'not_in':
			return sql`(${x} is null or not ${x} = any(${value}::numeric[]))`;
		case 'is_set':
			return sql`${raw} is not null`;
		case 'is_empty':
			return sql`${raw} is null`;
	}
	throw new Error(`unsupported number operator ${operator}`);
}

/** created_at / updated_at: dates are whole days in the session's time zone. */
function timestampCondition(x: Sql, operator: string, value: unknown): RawBuilder<SqlBool> {
	switch (operator) {
		case 'equals':
			return sql`(${x} >= ${value}::date and ${x} < ${value}::date + 1)`;
		case 'before':
			return sql`${x} < ${value}::date`;
		case 'after':
			return sql`${x} >= ${value}::date + 1`;
		case 'between': {
			const [low, high] = value as [string, string];
			return sql`(${x} >= ${low}::date and ${x} < ${high}::date + 1)`;
		}
		case 'within_last_days':
			return sql`${x} >= now() - make_interval(days => ${value}::integer)`;
	}
	throw new Error(`unsupported timestamp operator ${operator}`);
}

function multiSelectCondition(key: string, operator: string, value: unknown): RawBuilder<SqlBool> {
	const x = sql`(c.custom -> ${key})`;
	switch (operator) {
		case 'contains':
			return sql`coalesce(${x} ? ${value}, false)`;
		case 'not_contains':
			return sql`not coalesce(${x} ? ${value}, false)`;
		case 'in':
			return sql`coalesce(${x} ?| ${value}::text[], false)`;
		case 'is_set':
			return sql`coalesce(${x}, '[]'::jsonb) <> '[]'::jsonb`;
		case 'is_empty':
			return sql`coalesce(${x}, '[]'::jsonb) = '[]'::jsonb`;
	}
	throw new Error(`unsupported multi-select operator ${operator}`);
}

function fieldCondition(rule: FieldCondition, ctx: RuleContext): RawBuilder<SqlBool> {
	const operand = operandOf(rule.field, ctx);
	if (typeof operand === 'string') throw new Error(operand);
	const { operator, value } = rule;
	if (!operand.definition) {
		const column = COLUMNS[rule.field as StandardField];
		if (operand.type === 'timestamp') return timestampCondition(column, operator, value);
		if (operand.type === 'status') {
			const statuses = sql`${Array.isArray(value) ? value : [value]}::public.contact_status[]`;
			if (operator === 'equals' || operator === 'in') return sql`c.status = any(${statuses})`;
			return sql`not c.status = any(${statuses})`;
		}
		return textCondition(column, operator, value);
	}
	const key = operand.definition.key;
	switch (operand.type) {
		case 'text':
			return textCondition(sql`(c.custom ->> ${key})`, operator, value);
		case 'number':
			return numberCondition(key, operator, value);
		case 'multi_select':
			return multiSelectCondition(key, operator, value);
		default:
			// select, date, boolean
			return exactCondition(sql`(c.custom ->> ${key})`, operator, value);
	}
}

/**
 * The SQL of a rule (validated by validateRules with the same context), as a
 * boolean expression over `public.contacts as c`.
 */
export function compileRule(rule: Rule, ctx: RuleContext): Expression<SqlBool> {
	switch (rule.kind) {
		case 'group': {
			if (rule.rules.length === 0) return rule.match === 'all' ? TRUE : FALSE;
			const parts = rule.rules.map((r) => compileRule(r, ctx));
			return sql<SqlBool>`(${sql.join(parts, rule.match === 'all' ? sql` and ` : sql` or `)})`;
		}
		case 'field':
			return fieldCondition(rule, ctx);
		// "has"/"did" are uncorrelated IN subqueries: a semi-join under AND, a
		// hashed subplan (computed once) under OR. "has not"/"did not" are NOT
		// EXISTS: an anti-join under AND (NOT IN cannot be one, and would fall
		// back to a per-row scan of the subquery once it outgrows work_mem).
		case 'tag':
			if (rule.operator === 'has')
				return sql<SqlBool>`c.id in (select ct.contact_id from public.contact_tags ct
					where ct.org_id = ${ctx.orgId} and ct.tag_id = ${rule.tagId})`;
			return sql<SqlBool>`not exists (select 1 from public.contact_tags ct
				where ct.org_id = c.org_id and ct.contact_id = c.id and ct.tag_id = ${rule.tagId})`;
		case 'event': {
			const since = sql`now() - make_interval(days => ${rule.withinDays}::integer)`;
			if (rule.operator === 'did')
				return sql<SqlBool>`c.id in (select e.subject_id from public.events e
					where e.org_id = ${ctx.orgId} and e.type = ${rule.eventType} and e.occurred_at >= ${since}
					and e.subject_type = 'contact')`;
			return sql<SqlBool>`not exists (select 1 from public.events e
				where e.org_id = c.org_id and e.subject_type = 'contact' and e.subject_id = c.id
				and e.type = ${rule.eventType} and e.occurred_at >= ${since})`;
		}
	}
}

/** Contacts of the organization, not erased, that match the rule. */
export function segmentWhere(rule: Rule, ctx: RuleContext): RawBuilder<SqlBool> {
	return sql<SqlBool>`c.org_id = ${ctx.orgId} and c.erased_at is null and ${compileRule(rule, ctx)}`;
}
