// The dashboard's templates card: how many templates the organization has of
// each kind and the last one changed. A count per organization of a table
// people write by hand (tens to hundreds of rows), read through its
// (org_id, updated_at) index: no rollup needed.
import type { Trx } from '../db/rls.ts';

export type TemplatesSummary = {
	email: number;
	sms: number;
	whatsapp: number;
	latest: { id: string; name: string; updatedAt: string } | null;
};

export async function templatesSummary(trx: Trx, orgId: string): Promise<TemplatesSummary> {
	const counts = await trx
		.selectFrom('message_templates')
		.select(['channel', (eb) => eb.fn.countAll<string>().as('n')])
		.where('org_id', '=', orgId)
		.groupBy('channel')
		.execute();
	const latest = await trx
		.selectFrom('message_templates')
		.select(['id', 'name', 'updated_at'])
		.where('org_id', '=', orgId)
		.orderBy('updated_at', 'desc')
		.limit(1)
		.executeTakeFirst();
	const n = (c: string) => Number(counts.find((r) => r.channel === c)?.n ?? 0);
	return {
		email: n('email'),
		sms: n('sms'),
		whatsapp: n('whatsapp'),
		latest: latest ? { id: latest.id, name: latest.name, updatedAt: latest.updated_at } : null
	};
}
