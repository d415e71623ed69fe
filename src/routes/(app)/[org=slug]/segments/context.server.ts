// What the segment builder needs from the server: the rule language's tables
// (fields and their operand types, operators by type, statuses) and the
// organization's custom fields and tags, so builder and compiler agree.
import * as contacts from '$lib/server/contacts';
import type { Trx } from '$lib/server/db';
import * as segments from '$lib/server/segments';
import { CONTACT_STATUSES } from '$lib/server/segments/rules';
import type { BuilderContext } from '$lib/components/contacts/rules';

export async function builderContext(trx: Trx, orgId: string): Promise<BuilderContext> {
	const [fields, tags] = await Promise.all([
		contacts.listFields(trx, orgId),
		contacts.listTags(trx, orgId)
	]);
	return {
		standardFields: { ...segments.STANDARD_FIELDS },
		operatorsByType: segments.OPERATORS_BY_TYPE,
		fields: fields.map((f) => ({ key: f.key, label: f.label, type: f.type, options: f.options })),
		tags: tags.map((t) => ({ id: t.id, name: t.name })),
		statuses: CONTACT_STATUSES
	};
}

/** The rules posted by the builder (JSON text), or null when they are not JSON. */
export function parseRules(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return null;
	}
}
