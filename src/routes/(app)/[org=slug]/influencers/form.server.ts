// The record form's answers: parsed input, or field errors to show beside the
// inputs with what was typed kept.
import { fail, type ActionFailure } from '@sveltejs/kit';
import * as influencers from '$lib/server/influencers';
import { describeError } from './respond.server';

export type FormFailure = ActionFailure<{
	values: Record<string, string>;
	errors: Record<string, string>;
	message: string;
}>;

export function readForm(
	data: FormData
):
	| { ok: true; input: influencers.InfluencerInput; values: Record<string, string> }
	| { ok: false; failure: FormFailure } {
	const values = Object.fromEntries(
		[...data.entries()].filter((e): e is [string, string] => typeof e[1] === 'string')
	);
	const parsed = influencers.influencerForm.safeParse(values);
	if (parsed.success) return { ok: true, input: parsed.data, values };
	const errors: Record<string, string> = {};
	for (const issue of parsed.error.issues) {
		const key = String(issue.path[0] ?? 'form');
		errors[key] ??= issue.message;
	}
	return {
		ok: false,
		failure: fail(400, { values, errors, message: 'Some fields need a fix.' })
	};
}

/** A service or database refusal as a form answer; anything else rethrown. */
export function formFailure(e: unknown, values: Record<string, string>): FormFailure {
	const known = describeError(e);
	if (!known) throw e;
	const errors: Record<string, string> = {};
	if (known.field && known.field !== 'handle') errors[known.field] = known.message;
	return fail(known.status === 502 ? 422 : known.status, {
		values,
		errors,
		message: known.message
	});
}
