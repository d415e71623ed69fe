// What a rule builder (the segment builder, an automation's contact condition)
// needs from the server: the rule language's tables (fields and their operand
// types, operators by type, statuses) and the organization's custom fields and
// tags, so builder and compiler agree.
import type { BuilderContext } from '../../components/contacts/rules.ts';
import type { Trx } from '../db/rls.ts';
import { listFields } from '../contacts/fields.ts';
import { listTags } from '../contacts/tags.ts';
import { CONTACT_STATUSES, STANDARD_FIELDS } from './rules.ts';
import { OPERATORS_BY_TYPE } from './validate.ts';

export async function builderContext(trx: Trx, orgId: string): Promise<BuilderContext> {
	const [fields, tags] = await Promise.all([listFields(trx, orgId), listTags(trx, orgId)]);
	return {
		standardFields: { ...STANDARD_FIELDS },
		operatorsByType: OPERATORS_BY_TYPE,
		fields: fields.map((f) => ({ key: f.key, label: f.label, type: f.type, options: f.options })),
		tags: tags.map((t) => ({ id: t.id, name: t.name })),
		statuses: CONTACT_STATUSES
	};
}
