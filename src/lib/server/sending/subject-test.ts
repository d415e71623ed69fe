// A/B test of a campaign's subject line (the rules live in the
// message_subject_tests migration; the worker picks the winner): read, set up
// or change it before sending, remove it, and its numbers per variant for the
// report. Variant A is the message's own subject, B–D the test's.
import { sql } from 'kysely';
import { z } from 'zod';
import type { Trx } from '../db/rls.ts';
import * as campaigns from '../campaigns/index.ts';
import { listFields } from '../contacts/fields.ts';
import { parseTags, tagProblem } from '../../templates/merge-tags.ts';
import { safeText } from '../../templates/schema.ts';
import { MessageNotFoundError } from './sends.ts';

export const WAITS = [30, 60, 120, 240, 480, 1440] as const;

export const subjectTestSchema = z.object({
	subjects: z
		.array(safeText(200, 'A subject').transform((s) => s.trim()))
		.transform((list) => list.filter((s) => s !== ''))
		.refine((list) => list.length >= 1, 'Write at least one other subject to test.')
		.refine((list) => list.length <= 3, 'Test at most three other subjects.'),
	samplePercent: z.coerce
		.number('Enter a share between 2 and 50 %.')
		.int('Enter a whole number.')
		.min(2, 'Test on at least 2 % of the audience.')
		.max(50, 'Test on at most half of the audience.'),
	waitMinutes: z.coerce
		.number()
		.refine((m) => (WAITS as readonly number[]).includes(m), 'Pick how long to wait.'),
	metric: z.enum(['opens', 'clicks'], 'Pick opens or clicks.')
});
export type SubjectTestInput = z.infer<typeof subjectTestSchema>;

export type VariantNumbers = { variant: number; sent: number; opened: number; clicked: number };

export type SubjectTest = SubjectTestInput & {
	sampleSize: number | null;
	decideAt: string | null;
	winner: number | null;
	decidedAt: string | null;
	/** The sample's numbers when the winner was picked. */
	results: VariantNumbers[] | null;
};

/** A subject to test with a merge tag the organization does not have. */
export class SubjectTestInvalidError extends Error {
	override readonly name = 'SubjectTestInvalidError';
	readonly field = 'subjects';
}

const iso = (v: Date | string | null) => (v instanceof Date ? v.toISOString() : v);

export async function get(
	trx: Trx,
	orgId: string,
	campaignId: string
): Promise<SubjectTest | null> {
	const r = await trx
		.selectFrom('message_subject_tests')
		.select([
			'subjects',
			'sample_percent',
			'wait_minutes',
			'metric',
			'sample_size',
			'decide_at',
			'winner',
			'decided_at',
			'results'
		])
		.where('org_id', '=', orgId)
		.where('campaign_id', '=', campaignId)
		.executeTakeFirst();
	if (!r) return null;
	return {
		subjects: r.subjects,
		samplePercent: r.sample_percent,
		waitMinutes: r.wait_minutes,
		metric: r.metric,
		sampleSize: r.sample_size,
		decideAt: iso(r.decide_at),
		winner: r.winner,
		decidedAt: iso(r.decided_at),
		results: (r.results as VariantNumbers[] | null) ?? null
	};
}

/** Sets up or changes the test (refused by the database once sending started, with why). */
export async function save(
	trx: Trx,
	orgId: string,
	campaignId: string,
	input: SubjectTestInput
): Promise<void> {
	const campaign = await campaigns.get(trx, orgId, campaignId);
	if (campaign.kind !== 'email')
		throw new SubjectTestInvalidError('Only emails have a subject line to test.');
	const customKeys = new Set((await listFields(trx, orgId)).map((f) => f.key));
	for (const subject of input.subjects) {
		const { tags, problems } = parseTags(subject);
		const problem =
			problems[0]?.message ??
			tags.map((t) => tagProblem(t.name, customKeys)).find((p) => p !== null);
		if (problem) throw new SubjectTestInvalidError(problem);
	}
	const exists = await trx
		.selectFrom('message_sends')
		.select('campaign_id')
		.where('org_id', '=', orgId)
		.where('campaign_id', '=', campaignId)
		.executeTakeFirst();
	if (!exists) throw new MessageNotFoundError();
	const values = {
		subjects: input.subjects,
		sample_percent: input.samplePercent,
		wait_minutes: input.waitMinutes,
		metric: input.metric
	};
	await trx
		.insertInto('message_subject_tests')
		.values({ org_id: orgId, campaign_id: campaignId, ...values })
		.onConflict((oc) => oc.column('campaign_id').doUpdateSet(values))
		.execute();
}

export async function remove(trx: Trx, orgId: string, campaignId: string): Promise<void> {
	await trx
		.deleteFrom('message_subject_tests')
		.where('org_id', '=', orgId)
		.where('campaign_id', '=', campaignId)
		.execute();
}

/** Each variant's messages sent, unique opens and clicks (the winner's includes the rest of the audience). */
export async function variantNumbers(trx: Trx, campaignId: string): Promise<VariantNumbers[]> {
	const { rows } = await sql<{ r: VariantNumbers[] }>`
		select private.message_test_report(${campaignId}::uuid) as r`.execute(trx);
	return rows[0]?.r ?? [];
}

/** A, B, C, D. */
export const variantLetter = (variant: number) => String.fromCharCode(65 + variant);
