// The public survey (/s/<token>): no sign-in, the respondent token is the
// only authority. Every call goes through the survey schema's functions, run
// as the request's role (anon for people who are not signed in): read the
// questions of a token, count an attempt against the IP address's limit, and
// submit once to a live study. Refusals become SurveyRefusedError.
import { sql } from 'kysely';
import { DatabaseError } from 'pg';
import type { Trx } from '../db/rls.ts';
import { SurveyRefusedError } from './errors.ts';

export type SurveyPage = {
	study: string;
	organization: string;
	status: string;
	answered: boolean;
	questions: {
		id: string;
		prompt: string;
		multiple: boolean;
		options: { id: string; label: string }[];
	}[];
};

const TOKEN = /^[0-9a-f]{32}$/;

function unknown(): SurveyRefusedError {
	return new SurveyRefusedError(
		'This survey link is not valid. It may have been cut short.',
		'unknown',
		404
	);
}

/** The questions behind a token; SurveyRefusedError('unknown') when there are none. */
export async function open(trx: Trx, token: string): Promise<SurveyPage> {
	if (!TOKEN.test(token)) throw unknown();
	const { rows } = await sql<{
		page: SurveyPage | null;
	}>`select survey.open(${token}) as page`.execute(trx);
	const page = rows[0]?.page;
	if (!page) throw unknown();
	return page;
}

/** Counts one attempt from an address (its own transaction); refused beyond the limit. */
export async function countAttempt(trx: Trx, ip: string): Promise<void> {
	const { rows } = await sql<{ ok: boolean }>`select survey.count_attempt(${ip}) as ok`.execute(
		trx
	);
	if (!rows[0]?.ok) {
		throw new SurveyRefusedError(
			'Too many answers from this address: wait a minute and try again.',
			'rate_limited',
			429
		);
	}
}

const REFUSALS: Record<string, (message: string, column?: string) => SurveyRefusedError> = {
	survey_unknown: () => unknown(),
	survey_closed: (m) => new SurveyRefusedError(m, 'closed', 410),
	survey_answered: (m) => new SurveyRefusedError(m, 'answered', 409),
	survey_invalid: (m, c) => new SurveyRefusedError(m, 'invalid', 422, c ?? 'answers'),
	survey_rate_limited: (m) => new SurveyRefusedError(m, 'rate_limited', 429)
};

/**
 * What the survey page does on a submission, in one transaction: counts the
 * attempt against the address's limit (kept even when refused) and records
 * the answers once. A refusal is returned, not thrown: throwing inside the
 * transaction would roll the counted attempt back with it. The caller throws
 * it once the transaction has committed.
 */
export async function answer(
	trx: Trx,
	token: string,
	answers: Record<string, string[]>,
	ip: string
): Promise<SurveyRefusedError | null> {
	const { rows } = await sql<{ result: { refused?: string; message?: string; column?: string } }>`
		select survey.answer(${TOKEN.test(token) ? token : ''}, ${JSON.stringify(answers)}::jsonb, ${ip}) as result`.execute(
		trx
	);
	const refused = rows[0]?.result.refused;
	if (refused) {
		const make = REFUSALS[refused];
		if (!make) throw new Error(`unexpected survey refusal ${refused}`);
		return make(rows[0]!.result.message ?? 'Refused.', rows[0]!.result.column);
	}
	return null;
}

/** Records the answers ({question id: [option ids]}) of a token's respondent, once. */
export async function submit(
	trx: Trx,
	token: string,
	answers: Record<string, string[]>
): Promise<void> {
	if (!TOKEN.test(token)) throw unknown();
	try {
		await sql`select survey.submit(${token}, ${JSON.stringify(answers)}::jsonb)`.execute(trx);
	} catch (e) {
		if (!(e instanceof DatabaseError)) throw e;
		switch (e.hint) {
			case 'survey_unknown':
				throw unknown();
			case 'survey_closed':
				throw new SurveyRefusedError(e.message, 'closed', 410);
			case 'survey_answered':
				throw new SurveyRefusedError(e.message, 'answered', 409);
			case 'survey_invalid':
				throw new SurveyRefusedError(e.message, 'invalid', 422, e.column ?? 'answers');
			default:
				throw e;
		}
	}
}
