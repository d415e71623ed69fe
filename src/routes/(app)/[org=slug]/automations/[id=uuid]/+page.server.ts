import { error, fail, redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import * as automations from '$lib/server/automations';
import { mapDbError } from '$lib/server/db';
import * as members from '$lib/server/members';
import * as orgs from '$lib/server/orgs';
import * as segments from '$lib/server/segments';
import * as webhooks from '$lib/server/webhooks';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { deactivateSchema, detailsSchema, draftFormSchema, runSchema } from './schema';

export const load: PageServerLoad = async ({ locals, parent, params }) => {
	const { org, permissions } = await parent();
	return locals.db(async (trx) => {
		let automation: automations.Automation;
		try {
			automation = await automations.get(trx, org.id, params.id);
		} catch (e) {
			if (e instanceof automations.AutomationNotFoundError) error(404, 'Automation not found');
			throw e;
		}
		const [rules, team, templates, segmentList, endpoints, secrets] = await Promise.all([
			segments.builderContext(trx, org.id),
			members.list(trx, org.id),
			automations.templateChoices(trx, org.id),
			segments.listSegments(trx, org.id),
			permissions.includes('webhooks.manage') ? webhooks.listEndpoints(trx, org.id) : [],
			automations.secretNames(trx, org.id)
		]);
		return {
			automation,
			choices: {
				rules,
				members: team.map((m) => ({ id: m.userId, name: m.fullName || m.email })),
				templates,
				segments: segmentList.map((s) => ({ id: s.id, name: s.name })),
				endpoints: endpoints.map((e) => ({ id: e.id, name: e.name })),
				secrets
			}
		};
	});
};

type Outcome = { errors: automations.GraphError[]; message?: string; version?: number };

/** Maps the services' errors to answers the builder shows (on the step at fault). */
function failure(e: unknown) {
	if (e instanceof automations.AutomationInvalidError) {
		return fail(422, { errors: e.errors, message: 'Fix the problems marked on the steps.' });
	}
	if (e instanceof automations.AutomationNotFoundError) error(404, e.message);
	if (e instanceof automations.AutomationStateError)
		return fail(422, { errors: [], message: e.message });
	const mapped = mapDbError(e);
	if (mapped) return fail(mapped.status, { errors: [], message: mapped.message });
	throw e;
}

async function draftOf(event: RequestEvent) {
	const parsed = draftFormSchema.safeParse(Object.fromEntries(await event.request.formData()));
	return parsed.success ? parsed.data.definition : null;
}

const invalidDraft = () =>
	fail(400, { errors: [], message: 'The draft could not be read; reload the page.' });

export const actions: Actions = {
	save: async (event) => {
		const draft = await draftOf(event);
		if (!draft) return invalidDraft();
		try {
			await orgs.withOrg(event, (trx, org) =>
				automations.update(trx, org.id, event.params.id, { draft })
			);
		} catch (e) {
			return failure(e);
		}
		return { errors: [], message: 'Draft saved.' } satisfies Outcome;
	},

	validate: async (event) => {
		const draft = await draftOf(event);
		if (!draft) return invalidDraft();
		try {
			const result = await orgs.withOrg(event, async (trx, org) => {
				await automations.update(trx, org.id, event.params.id, { draft });
				return automations.validate(trx, org.id, draft);
			});
			if (!result.ok) {
				return fail(422, {
					errors: result.errors,
					message: 'Fix the problems marked on the steps.'
				});
			}
		} catch (e) {
			return failure(e);
		}
		return {
			errors: [],
			message: 'The automation is valid and ready to activate.'
		} satisfies Outcome;
	},

	/** Saves the draft and publishes it as the next version, in one transaction. */
	activate: async (event) => {
		const draft = await draftOf(event);
		if (!draft) return invalidDraft();
		try {
			const version = await orgs.withOrg(event, async (trx, org) => {
				await automations.update(trx, org.id, event.params.id, { draft });
				return automations.activate(trx, org.id, event.params.id, draft);
			});
			return { errors: [], message: `Version ${version} is active.`, version } satisfies Outcome;
		} catch (e) {
			return failure(e);
		}
	},

	deactivate: async (event) => {
		const parsed = deactivateSchema.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) return fail(400, { errors: [], message: 'Choose pause or archive.' });
		try {
			await orgs.withOrg(event, (trx) =>
				automations.deactivate(trx, event.params.id, parsed.data.status, {
					cancelRuns: parsed.data.cancelRuns
				})
			);
		} catch (e) {
			return failure(e);
		}
		const text = parsed.data.status === 'archived' ? 'Archived.' : 'Paused: no new runs start.';
		return { errors: [], message: text } satisfies Outcome;
	},

	details: async (event) => {
		const parsed = detailsSchema.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) {
			return fail(400, {
				errors: [],
				message: parsed.error.issues[0]?.message ?? 'Check the name.'
			});
		}
		try {
			await orgs.withOrg(event, (trx, org) =>
				automations.update(trx, org.id, event.params.id, parsed.data)
			);
		} catch (e) {
			return failure(e);
		}
		return { errors: [], message: 'Saved.' } satisfies Outcome;
	},

	run: async (event) => {
		const parsed = runSchema.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success)
			return fail(400, { errors: [], message: 'Enter a contact id or leave it empty.' });
		let runId: string | null;
		try {
			runId = await orgs.withOrg(event, (trx) =>
				automations.startRun(
					trx,
					event.params.id,
					parsed.data.contactId ? { type: 'contact', id: parsed.data.contactId } : undefined
				)
			);
		} catch (e) {
			return failure(e);
		}
		if (!runId) return fail(409, { errors: [], message: 'The re-entry policy refused a new run.' });
		redirect(
			303,
			resolve('/(app)/[org=slug]/automations/runs/[id=uuid]', { org: event.params.org, id: runId })
		);
	},

	delete: async (event) => {
		try {
			await orgs.withOrg(event, (trx, org) => automations.remove(trx, org.id, event.params.id));
		} catch (e) {
			return failure(e);
		}
		redirect(303, resolve('/(app)/[org=slug]/automations', { org: event.params.org }));
	}
};
