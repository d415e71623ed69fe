// Brand lift studies in the database: the review workflow and who may decide
// it, the power check at launch, the holdout (deterministic, stored, never
// re-rolled) and the control group kept out of the campaign's sends through
// sending's audience freeze.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { DatabaseError } from 'pg';
import * as brandLift from '../../src/lib/server/brand-lift/index.ts';
import {
	addContacts,
	brandLiftWorld,
	draftStudy,
	emailCampaign,
	launchStudy,
	setStatus,
	type BrandLiftWorld
} from './world.ts';

let w: BrandLiftWorld;

beforeAll(async () => {
	w = await brandLiftWorld();
	await addContacts(w, 1000);
});
afterAll(async () => {
	await w?.close();
});

async function refusal(p: Promise<unknown>): Promise<DatabaseError> {
	try {
		await p;
	} catch (e) {
		if (e instanceof DatabaseError) return e;
		throw e;
	}
	throw new Error('expected a refusal');
}

describe('review workflow', () => {
	it('only an approved study goes live, and only reviewers approve', async () => {
		const campaign = await emailCampaign(w, { name: 'Workflow' });
		const s = await draftStudy(w, campaign);
		expect((await refusal(setStatus(w, 'member', s.studyId, 'live'))).hint).toBe(
			'study_transition_refused'
		);
		await setStatus(w, 'member', s.studyId, 'in_review');
		// A member (studies.write, not studies.review) cannot approve.
		const denied = await refusal(setStatus(w, 'member', s.studyId, 'approved'));
		expect(denied.code).toBe('42501');
		// A viewer changes nothing (RLS: no row to update).
		await setStatus(w, 'viewer', s.studyId, 'changes_requested');
		await setStatus(w, 'admin', s.studyId, 'changes_requested');
		// Questions can be edited again while changes are requested, not once in review.
		await w.as('member', (trx) =>
			sql`update public.brand_lift_questions set prompt = 'Have you ever heard of Northwind?'
			     where id = ${s.questions[0]!.id}`.execute(trx)
		);
		await setStatus(w, 'member', s.studyId, 'in_review');
		const locked = await refusal(
			w.as('member', (trx) =>
				sql`update public.brand_lift_questions set prompt = 'Changed' where id = ${s.questions[0]!.id}`.execute(
					trx
				)
			)
		);
		expect(locked.hint).toBe('study_locked');
		await setStatus(w, 'admin', s.studyId, 'approved');
		const events = await w.admin.query<{ payload: { from: string; to: string } }>(
			`select payload from public.events where type = 'study.status_changed' and subject_id = $1 order by id`,
			[s.studyId]
		);
		expect(events.rows.map((e) => `${e.payload.from}>${e.payload.to}`)).toEqual([
			'draft>in_review',
			'in_review>changes_requested',
			'changes_requested>in_review',
			'in_review>approved'
		]);
	});

	it('threaded comments: replies stay on their study and name their author', async () => {
		const a = await draftStudy(w, await emailCampaign(w, { name: 'Comments A' }));
		const b = await draftStudy(w, await emailCampaign(w, { name: 'Comments B' }));
		await w.as('member', (trx) => brandLift.addComment(trx, w.world.orgA, a.studyId, 'Ready?'));
		const [first] = await w.as('admin', (trx) => brandLift.comments(trx, w.world.orgA, a.studyId));
		await w.as('admin', (trx) =>
			brandLift.addComment(trx, w.world.orgA, a.studyId, 'Add a recall question.', first!.id)
		);
		const thread = await w.as('viewer', (trx) => brandLift.comments(trx, w.world.orgA, a.studyId));
		expect(thread.map((c) => [c.body, c.parent_id])).toEqual([
			['Ready?', null],
			['Add a recall question.', first!.id]
		]);
		const elsewhere = await refusal(
			w.as('admin', (trx) => brandLift.addComment(trx, w.world.orgA, b.studyId, 'x', first!.id))
		);
		expect(elsewhere.hint).toBe('study_comment_parent');
		expect(
			(
				await refusal(
					w.as('viewer', (trx) => brandLift.addComment(trx, w.world.orgA, a.studyId, 'x'))
				)
			).code
		).toBe('42501');
	});
});

describe('power check at launch', () => {
	it('an underpowered plan is refused with the numbers, by the service and by the database', async () => {
		const campaign = await emailCampaign(w, { name: 'Small plan' });
		const s = await draftStudy(w, campaign, { planned_sample: 2000 });
		await setStatus(w, 'member', s.studyId, 'in_review');
		await setStatus(w, 'admin', s.studyId, 'approved');
		const study = await w.as('member', (trx) => brandLift.get(trx, w.world.orgA, campaign));
		await expect(
			w.as('member', (trx) => brandLift.launch(trx, w.world.orgA, study))
		).rejects.toMatchObject({ name: 'UnderpoweredError', needed: 3763, planned: 2000 });
		const db = await refusal(setStatus(w, 'member', s.studyId, 'live'));
		expect(db.hint).toBe('study_underpowered');
		expect(db.message).toContain('needs 3,763 per group');
		const { rows } = await w.admin.query<{ n: number }>(
			`select count(*)::int as n from public.brand_lift_assignments where study_id = $1`,
			[s.studyId]
		);
		expect(rows[0]!.n).toBe(0);
		expect(
			(await w.admin.query<{ n: number }>(`select private.study_sample_size(30, 3) as n`)).rows[0]!
				.n
		).toBe(3763);
	});
});

describe('holdout', () => {
	it('assigns about the holdout share to control, deterministically, and never re-rolls', async () => {
		const campaign = await emailCampaign(w, { name: 'Holdout' });
		const s = await draftStudy(w, campaign);
		await launchStudy(w, s.studyId);
		const groups = async () =>
			(
				await w.admin.query<{ contact_id: string; group: string }>(
					`select contact_id, "group"::text as group from public.brand_lift_assignments
					  where study_id = $1 order by contact_id`,
					[s.studyId]
				)
			).rows;
		const before = await groups();
		expect(before).toHaveLength(1000);
		const control = before.filter((r) => r.group === 'control').length;
		expect(control).toBeGreaterThan(60);
		expect(control).toBeLessThan(140);
		// The group is the hash of (contact, study): recomputed independently, it agrees.
		const { rows: mismatch } = await w.admin.query<{ n: number }>(
			`select count(*)::int as n from public.brand_lift_assignments a
			  where a.study_id = $1
			    and a."group" <> (case when ((('x' || left(md5(a.contact_id::text || ':' || a.study_id::text), 8))::bit(32)::bigint) % 10000) < 1000
			                          then 'control' else 'exposed' end)::public.study_group`,
			[s.studyId]
		);
		expect(mismatch[0]!.n).toBe(0);
		// Assigning again (a later send) keeps everyone where they were, and a
		// stored group is kept even if it were changed by hand.
		const someone = before[0]!;
		const flipped = someone.group === 'control' ? 'exposed' : 'control';
		await w.admin.query(
			`update public.brand_lift_assignments set "group" = $3 where study_id = $1 and contact_id = $2`,
			[s.studyId, someone.contact_id, flipped]
		);
		await addContacts(w, 20, 5000);
		await w.admin.query(`select private.study_assign($1)`, [s.studyId]);
		const after = await groups();
		expect(after).toHaveLength(1020);
		expect(after.find((r) => r.contact_id === someone.contact_id)!.group).toBe(flipped);
		const old = new Map(before.map((r) => [r.contact_id, r.group]));
		const changed = after.filter((r) => old.has(r.contact_id) && old.get(r.contact_id) !== r.group);
		expect(changed.map((r) => r.contact_id)).toEqual([someone.contact_id]);
		// Every assigned person has one survey link.
		const links = await w.admin.query(
			`select count(*)::int as n, count(distinct token)::int as tokens from public.brand_lift_respondents where study_id = $1`,
			[s.studyId]
		);
		expect(links.rows[0]).toEqual({ n: 1020, tokens: 1020 });
	});

	it('the control group is kept out of the campaign’s sends (sending’s freeze)', async () => {
		const campaign = await emailCampaign(w, { name: 'Held out' });
		const s = await draftStudy(w, campaign);
		await launchStudy(w, s.studyId);
		// Newcomers after launch are assigned at the freeze too.
		await addContacts(w, 30, 7000, 'late.test');
		await w.as('member', (trx) =>
			sql`update public.message_sends set status = 'sending' where campaign_id = ${campaign}`.execute(
				trx
			)
		);
		const { rows } = await w.admin.query<{
			control_sent: number;
			exposed: number;
			recipients: number;
			late: number;
		}>(
			`select (select count(*) from public.message_recipients r
			           join public.brand_lift_assignments a on a.study_id = $2 and a.contact_id = r.contact_id
			          where r.campaign_id = $1 and a."group" = 'control')::int as control_sent,
			        (select count(*) from public.brand_lift_assignments a where a.study_id = $2 and a."group" = 'exposed')::int as exposed,
			        (select count(*) from public.message_recipients r where r.campaign_id = $1 and r.status = 'queued')::int as recipients,
			        (select count(*) from public.brand_lift_assignments a join public.contacts c on c.id = a.contact_id
			          where a.study_id = $2 and c.email::text like '%@late.test')::int as late`,
			[campaign, s.studyId]
		);
		expect(rows[0]!.control_sent).toBe(0);
		expect(rows[0]!.late).toBe(30);
		expect(rows[0]!.recipients).toBe(rows[0]!.exposed);
		// A campaign without a study sends to everyone, as before.
		const plain = await emailCampaign(w, { name: 'No study' });
		await w.as('member', (trx) =>
			sql`update public.message_sends set status = 'sending' where campaign_id = ${plain}`.execute(
				trx
			)
		);
		const all = await w.admin.query<{ n: number }>(
			`select count(*)::int as n from public.message_recipients where campaign_id = $1 and status = 'queued'`,
			[plain]
		);
		const contacts = await w.admin.query<{ n: number }>(
			`select count(*)::int as n from public.contacts where org_id = $1`,
			[w.world.orgA]
		);
		expect(all.rows[0]!.n).toBe(contacts.rows[0]!.n);
	});
});
