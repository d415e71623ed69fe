// Getting started: the four things a new organization does first. Each step
// is done when its rows exist (the contacts step from the contacts rollup),
// so the checklist disappears by itself once all four are.
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';

export type ChecklistStep = 'contacts' | 'segment' | 'teammate' | 'automation';
export type Checklist = Record<ChecklistStep, boolean>;

export async function checklist(trx: Trx, orgId: string, contactCount: number): Promise<Checklist> {
	// Invitations are visible to member managers only: for the others a
	// teammate counts once they have joined.
	const { rows } = await sql<Omit<Checklist, 'contacts'>>`
		select exists (select 1 from public.segments where org_id = ${orgId}) as segment,
		       ((select count(*) from public.members where org_id = ${orgId}) > 1
		         or exists (select 1 from public.invitations where org_id = ${orgId})) as teammate,
		       exists (select 1 from public.automations where org_id = ${orgId}) as automation`.execute(
		trx
	);
	return { contacts: contactCount > 0, ...rows[0]! };
}
