// A/B tests of a campaign's subject line, on the worker's side (the rules are
// in the message_subject_tests migration): the subjects of the variants a
// campaign sends (variant 0 is the message's own subject), and the job
// message_test_decide that, once the wait is over, picks the winner by the
// sample's opens or clicks and releases the rest of the audience with it.
import type { Task } from 'graphile-worker';
import type pg from 'pg';
import { z } from 'zod';

/** The subjects of variants 1..3 (index = variant - 1); empty when the campaign runs no test. */
export async function testSubjectsOf(pool: pg.Pool, campaignId: string): Promise<string[]> {
	const { rows } = await pool.query<{ subjects: string[] }>(
		'select subjects from public.message_subject_tests where campaign_id = $1',
		[campaignId]
	);
	return rows[0]?.subjects ?? [];
}

/** The subject a recipient's variant gets: a test's subject, or the message's own. */
export function subjectFor(
	campaign: { subject: string; testSubjects?: readonly string[] },
	variant: number
): string | null {
	return variant > 0 ? (campaign.testSubjects?.[variant - 1] ?? null) : null;
}

const Payload = z.object({ campaign_id: z.uuid() });

export const messageTestDecideTask: Task = async (payload, helpers) => {
	const { campaign_id } = Payload.parse(payload);
	const { rows } = await helpers.query<{ winner: number | null }>(
		'select private.message_test_decide($1) as winner',
		[campaign_id]
	);
	const winner = rows[0]?.winner;
	helpers.logger.info(
		`campaign ${campaign_id}: ${winner === null || winner === undefined ? 'not decided yet' : `variant ${winner} won`}`
	);
};
