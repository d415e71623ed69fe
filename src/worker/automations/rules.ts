// Contact rules (trigger filters, "contact matches" conditions) are written in
// the segment rule language and evaluated by the segments module's compiler,
// against the database, for many contacts at once.
import type { RuleTree } from '../../lib/automations/definition.ts';
import type { Conn } from '../db.ts';

export type RuleEvaluator = {
	/** The contacts among `contactIds` (of the organization) that match `rules`. */
	matching(trx: Conn, orgId: string, contactIds: string[], rules: RuleTree): Promise<Set<string>>;
};

export class RulesUnavailable extends Error {
	override readonly name = 'RulesUnavailable';
}

/** Used until an evaluator is configured: contact rules fail their step, loudly. */
export const unavailableRules: RuleEvaluator = {
	matching() {
		return Promise.reject(new RulesUnavailable('Contact rules cannot be evaluated here.'));
	}
};
