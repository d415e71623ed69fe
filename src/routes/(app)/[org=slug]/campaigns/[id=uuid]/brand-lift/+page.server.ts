// A campaign's brand lift study: setting it up (design with the power
// calculator, questions and their positive answers), its review (submit,
// approve or ask for changes, threaded comments), launch and close, and the
// report once it is live. The database enforces the workflow and who may
// decide; the routes validate, call the module and map its refusals.
import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import * as brandLift from '$lib/server/brand-lift';
import * as campaigns from '$lib/server/campaigns';
import * as orgs from '$lib/server/orgs';
import { describeError, throwHttp } from '../../respond.server';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async ({ locals, parent, params }) => {
	const { org } = await parent();
	return locals
		.db(async (trx) => {
			const campaign = await campaigns.get(trx, org.id, params.id);
			const study = await brandLift.find(trx, org.id, campaign.id);
			if (!study) {
				return {
					campaign: { id: campaign.id, name: campaign.name },
					study: null,
					questions: [],
					comments: [],
					report: null
				};
			}
			const live = study.status === 'live' || study.status === 'closed';
			// The report reads the rollups only (no count of responses or people per view).
			const [questions, comments, report] = await Promise.all([
				brandLift.questions(trx, org.id, study.id),
				brandLift.comments(trx, org.id, study.id),
				live ? brandLift.report(trx, org.id, study.id) : null
			]);
			return {
				campaign: { id: campaign.id, name: campaign.name },
				study,
				questions,
				comments,
				report
			};
		})
		.catch(throwHttp);
};

type Failure = { message: string; field?: string; errors?: Record<string, string> };

/** Runs a change in the organization's transaction; a refusal becomes fail() with its field. */
async function run(
	event: RequestEvent,
	fn: (trx: Parameters<Parameters<typeof orgs.withOrg>[1]>[0], orgId: string) => Promise<unknown>,
	/** What the page confirms once saved (the design has no list that shows the change). */
	saved: 'design' | null = null
) {
	try {
		await orgs.withOrg(event, (trx, org) => fn(trx, org.id));
	} catch (e) {
		if (e instanceof brandLift.UnderpoweredError) {
			return fail(422, { message: e.message, field: e.field } satisfies Failure);
		}
		if (e instanceof brandLift.StudyNotFoundError) return fail(404, { message: e.message });
		const known = describeError(e);
		if (!known) throw e;
		return fail(known.status, { message: known.message, field: known.field } satisfies Failure);
	}
	return { message: null, saved };
}

function errorsOf(error: z.ZodError): Failure {
	const errors: Record<string, string> = {};
	for (const issue of error.issues) errors[String(issue.path[0] ?? 'form')] ??= issue.message;
	return { message: Object.values(errors)[0] ?? 'Check the form.', errors };
}

async function formOf(event: RequestEvent) {
	return Object.fromEntries(await event.request.formData());
}

const studyOf = (trx: Parameters<typeof brandLift.get>[0], orgId: string, campaignId: string) =>
	brandLift.get(trx, orgId, campaignId);

const statusMoves = {
	submit: 'in_review',
	approve: 'approved',
	changes: 'changes_requested',
	reopen: 'draft',
	close: 'closed'
} as const;

const moveSchema = z.object({ to: z.enum(Object.keys(statusMoves) as [keyof typeof statusMoves]) });

export const actions: Actions = {
	create: async (event) =>
		run(event, (trx, orgId) =>
			campaigns
				.get(trx, orgId, event.params.id)
				.then((c) => brandLift.create(trx, orgId, c.id, `Brand lift: ${c.name}`.slice(0, 120)))
		),
	design: async (event) => {
		const parsed = brandLift.designSchema.safeParse(await formOf(event));
		if (!parsed.success) return fail(400, errorsOf(parsed.error));
		return run(
			event,
			async (trx, orgId) => {
				const study = await studyOf(trx, orgId, event.params.id);
				await brandLift.saveDesign(trx, orgId, study.id, parsed.data);
			},
			'design'
		);
	},
	question: async (event) => {
		const parsed = brandLift.questionSchema.safeParse(await formOf(event));
		if (!parsed.success) return fail(400, errorsOf(parsed.error));
		return run(event, async (trx, orgId) => {
			const study = await studyOf(trx, orgId, event.params.id);
			await brandLift.addQuestion(trx, orgId, study.id, parsed.data);
		});
	},
	deleteQuestion: async (event) => {
		const parsed = z.object({ id: z.uuid() }).safeParse(await formOf(event));
		if (!parsed.success) return fail(400, { message: 'Pick a question.' });
		return run(event, async (trx, orgId) => {
			const study = await studyOf(trx, orgId, event.params.id);
			await brandLift.deleteQuestion(trx, orgId, study.id, parsed.data.id);
		});
	},
	move: async (event) => {
		const parsed = moveSchema.safeParse(await formOf(event));
		if (!parsed.success) return fail(400, { message: 'Pick what to do with the study.' });
		return run(event, async (trx, orgId) => {
			const study = await studyOf(trx, orgId, event.params.id);
			await brandLift.setStatus(trx, orgId, study.id, statusMoves[parsed.data.to]);
		});
	},
	launch: async (event) =>
		run(event, async (trx, orgId) => {
			const study = await studyOf(trx, orgId, event.params.id);
			await brandLift.launch(trx, orgId, study);
		}),
	comment: async (event) => {
		const parsed = brandLift.commentSchema.safeParse(await formOf(event));
		if (!parsed.success) return fail(400, errorsOf(parsed.error));
		return run(event, async (trx, orgId) => {
			const study = await studyOf(trx, orgId, event.params.id);
			await brandLift.addComment(trx, orgId, study.id, parsed.data.body, parsed.data.parent_id);
		});
	}
};
