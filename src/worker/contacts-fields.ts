// Tasks for custom field definitions:
//   contact_field_index {orgId, key} — create or drop the field's expression
//                       index (DDL through a security-definer function);
//   contact_field_purge {orgId, key} — strip a deleted field's values, 5,000
//                       contacts per transaction so no lock is held for long.
import type { Task } from 'graphile-worker';
import { sql } from 'kysely';
import { z } from 'zod';
import { asService } from '../lib/server/db/rls.ts';
import type { ContactDeps } from './contacts-deps.ts';

const payloadSchema = z.object({ orgId: z.uuid(), key: z.string().max(40) });

export function contactFieldIndexTask(getDeps: () => ContactDeps): Task {
	return async (payload) => {
		const { orgId, key } = payloadSchema.parse(payload);
		await asService(getDeps().db, (trx) =>
			sql`select private.sync_contact_field_index(${orgId}::uuid, ${key})`.execute(trx)
		);
	};
}

export function contactFieldPurgeTask(getDeps: () => ContactDeps): Task {
	return async (payload) => {
		const { orgId, key } = payloadSchema.parse(payload);
		for (;;) {
			const { rows } = await asService(getDeps().db, (trx) =>
				sql<{
					n: number;
				}>`select private.purge_contact_field_values(${orgId}::uuid, ${key}) as n`.execute(trx)
			);
			if (!rows[0]?.n) return;
		}
	};
}
