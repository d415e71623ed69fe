// The public brand lift survey (/s/<token>): no sign-in, the respondent's
// token is the only authority. GET shows the questions; the POST counts the
// attempt against the address's rate limit (its own transaction, so refused
// attempts count), then records the answers once (survey.submit). A filled
// honeypot field is a bot: it is thanked and nothing is written.
import { error, fail } from '@sveltejs/kit';
import * as brandLift from '$lib/server/brand-lift';
import type { Actions, PageServerLoad } from './$types';

/** The hidden field people never see and bots fill in. */
const HONEYPOT = 'website';

export const load: PageServerLoad = async ({ params, locals }) => {
	try {
		return { survey: await locals.db((trx) => brandLift.survey.open(trx, params.token)) };
	} catch (e) {
		if (e instanceof brandLift.SurveyRefusedError) error(e.status, e.message);
		throw e;
	}
};

/** The form's answers as {question id: [option ids]} (q:<id> fields). */
function answersOf(form: FormData): Record<string, string[]> {
	const answers: Record<string, string[]> = {};
	for (const [name, value] of form) {
		if (!name.startsWith('q:') || typeof value !== 'string') continue;
		(answers[name.slice(2)] ??= []).push(value);
	}
	return answers;
}

export const actions: Actions = {
	default: async ({ params, locals, request, getClientAddress }) => {
		const form = await request.formData().catch(() => null);
		if (!form) return fail(400, { message: 'The answers could not be read. Please try again.' });
		const honeypot = form.get(HONEYPOT);
		if (typeof honeypot === 'string' && honeypot !== '') return { answered: true };
		const parsed = brandLift.surveyAnswersSchema.safeParse(answersOf(form));
		if (!parsed.success) {
			return fail(400, { message: 'The answers are not in the expected form.', field: 'answers' });
		}
		const refusal = await locals.db((trx) =>
			brandLift.survey.answer(trx, params.token, parsed.data, getClientAddress())
		);
		if (refusal) {
			if (refusal.reason === 'unknown') error(404, refusal.message);
			return fail(refusal.status, {
				message: refusal.message,
				field: refusal.field,
				reason: refusal.reason
			});
		}
		return { answered: true };
	}
};
