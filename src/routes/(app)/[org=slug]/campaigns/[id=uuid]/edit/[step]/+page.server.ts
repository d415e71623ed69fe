// One step of the campaign wizard. The step's form posts to `next` or `back`
// (both save what was typed, so Next/Back work without JavaScript); `next`
// moves on only when the step is valid. A save that started from an older
// revision than the stored one is refused with what the other person saved,
// to reload or keep. The review step's `submit` checks every step first.
import { error, fail, redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import { diffSection } from '$lib/campaigns/diff';
import {
	isStep,
	neighbours,
	problemsOf,
	sectionErrors,
	sectionFromForm,
	stepsFor,
	type StepKey
} from '$lib/campaigns/steps';
import * as campaigns from '$lib/server/campaigns';
import * as orgs from '$lib/server/orgs';
import {
	audienceOptions,
	brandOptions,
	currencies,
	describeError,
	diffNames,
	productOptions,
	throwHttp,
	timeZones
} from '../../../respond.server';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async ({ locals, parent, params }) => {
	const { org } = await parent();
	return locals
		.db(async (trx) => {
			const campaign = await campaigns.get(trx, org.id, params.id);
			if (!isStep(campaign.kind, params.step)) error(404, 'Page not found');
			// The audience and products steps (and the review naming them) need the catalogue.
			const step = params.step;
			const [sections, brandList, currencyList, zones, audienceList, productList] =
				await Promise.all([
					campaigns.sections(trx, org.id, params.id),
					brandOptions(trx, org.id),
					currencies(trx),
					timeZones(trx),
					step === 'audience' || step === 'review'
						? audienceOptions(trx, org.id, campaign.kind)
						: [],
					step === 'products' || step === 'review' ? productOptions(trx, org.id) : []
				]);
			const data = Object.fromEntries(Object.entries(sections).map(([k, s]) => [k, s.data]));
			return {
				campaign,
				step: params.step,
				steps: stepsFor(campaign.kind).map((s) => ({
					...s,
					done:
						s.key === 'review' ||
						Object.keys(sectionErrors(s.key, data[s.key], campaign.kind)).length === 0
				})),
				sections,
				problems: params.step === 'review' ? problemsOf(campaign.kind, data) : [],
				brands: brandList,
				audiences: audienceList,
				products: productList,
				currencies: currencyList,
				timeZones: zones,
				orgTimeZone: org.timeZone ?? 'UTC'
			};
		})
		.catch(throwHttp);
};

const stepUrl = (org: string, id: string, step: string) =>
	resolve('/(app)/[org=slug]/campaigns/[id=uuid]/edit/[step]', { org, id, step });

/** Saves the posted step; a conflict or a refusal is returned as the action's failure. */
async function save(event: RequestEvent) {
	const form = await event.request.formData();
	const step = event.params.step;
	const revision = Number(form.get('revision'));
	return orgs.withOrg(event, async (trx, org) => {
		const campaign = await campaigns.get(trx, org.id, event.params.id);
		if (!isStep(campaign.kind, step) || step === 'review') error(404, 'Page not found');
		const section = step;
		const values = sectionFromForm(section, form);
		if (!Number.isInteger(revision)) return { kind: 'invalid' as const, values, campaign };
		const result = await campaigns.saveSection(trx, event.params.id, section, values, revision);
		if (!result.saved) {
			const who =
				(await campaigns.history.people(trx, [result.current.updatedBy])).get(
					result.current.updatedBy ?? ''
				) ?? null;
			const names = await diffNames(trx, org.id);
			return {
				kind: 'conflict' as const,
				values,
				campaign,
				conflict: {
					revision: result.current.revision,
					data: result.current.data,
					by: who,
					at: result.current.updatedAt,
					changes: diffSection(section, values, result.current.data, names)
				}
			};
		}
		return { kind: 'saved' as const, values, campaign, revision: result.revision, section };
	});
}

async function saveAndMove(event: RequestEvent, direction: 'next' | 'back' | 'stay') {
	let outcome: Awaited<ReturnType<typeof save>>;
	try {
		outcome = await save(event);
	} catch (e) {
		const known = describeError(e);
		if (!known) throw e;
		return fail(known.status, { message: known.message });
	}
	if (outcome.kind === 'invalid')
		return fail(400, { message: 'Reload the page and try again.', values: outcome.values });
	if (outcome.kind === 'conflict')
		return fail(409, { values: outcome.values, conflict: outcome.conflict });
	const { previous, next } = neighbours(outcome.campaign.kind, event.params.step as StepKey);
	if (direction === 'next') {
		const errors = sectionErrors(outcome.section, outcome.values, outcome.campaign.kind);
		if (Object.keys(errors).length)
			return fail(400, { values: outcome.values, errors, revision: outcome.revision });
		if (next) redirect(303, stepUrl(event.params.org, event.params.id, next));
	} else if (direction === 'back' && previous)
		redirect(303, stepUrl(event.params.org, event.params.id, previous));
	return { saved: true, revision: outcome.revision };
}

export const actions: Actions = {
	next: (event) => saveAndMove(event, 'next'),
	back: (event) => saveAndMove(event, 'back'),
	save: (event) => saveAndMove(event, 'stay'),
	submit: async (event) => {
		let version: number;
		try {
			version = await orgs.withOrg(event, (trx, org) =>
				campaigns.submit(trx, org.id, event.params.id)
			);
		} catch (e) {
			if (e instanceof campaigns.CampaignIncompleteError)
				return fail(422, { message: e.message, problems: e.problems });
			const known = describeError(e);
			if (!known) throw e;
			return fail(known.status, { message: known.message, field: known.field });
		}
		redirect(
			303,
			`${resolve('/(app)/[org=slug]/campaigns/[id=uuid]', { org: event.params.org, id: event.params.id })}?submitted=${version}`
		);
	}
};
