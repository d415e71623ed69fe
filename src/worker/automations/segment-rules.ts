// Contact rules of automations (trigger filters, "contact matches" conditions)
// in the segment rule language, evaluated with the segments module's own
// validator and compiler: the same rule means the same thing in a segment and
// in an automation. One query per batch of contacts.
import { sql } from 'kysely';
import type { Trx } from '../../lib/server/db/rls.ts';
import { ruleContext } from '../../lib/server/contacts/list.ts';
import { segmentWhere } from '../../lib/server/segments/compile.ts';
import { validateRules, type RuleContext } from '../../lib/server/segments/validate.ts';
import type { Conn } from '../db.ts';
import type { RuleEvaluator } from './rules.ts';

/** Field and tag definitions are cached per organization for `ttlMs` (and re-read when a rule does not fit). */
export function segmentRuleEvaluator(ttlMs = 5000): RuleEvaluator {
	const contexts = new Map<string, { at: number; ctx: RuleContext }>();
	const contextOf = async (trx: Conn, orgId: string, fresh: boolean): Promise<RuleContext> => {
		const cached = contexts.get(orgId);
		if (!fresh && cached && Date.now() - cached.at < ttlMs) return cached.ctx;
		// The worker's connection is a pinned one, not a Transaction object; the queries are the same.
		const ctx = await ruleContext(trx as unknown as Trx, orgId);
		if (contexts.size > 1000) contexts.clear();
		contexts.set(orgId, { at: Date.now(), ctx });
		return ctx;
	};
	return {
		async matching(trx, orgId, contactIds, rules) {
			if (contactIds.length === 0) return new Set();
			let ctx = await contextOf(trx, orgId, false);
			let rule;
			try {
				rule = validateRules(rules, ctx);
			} catch {
				// A field or tag created since the cache was filled: read again, then let it throw.
				ctx = await contextOf(trx, orgId, true);
				rule = validateRules(rules, ctx);
			}
			const { rows } = await sql<{ id: string }>`
				select c.id from public.contacts c
				 where ${segmentWhere(rule, ctx)} and c.id = any(${contactIds}::uuid[])`.execute(trx);
			return new Set(rows.map((r) => r.id));
		}
	};
}
