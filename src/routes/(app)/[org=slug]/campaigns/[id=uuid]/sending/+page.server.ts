// A message campaign's message and its sending. Email: choose a template and
// the envelope (subject, sender, reply-to). SMS and WhatsApp: write the text or
// start from a text template of the channel. Then preview it with a contact's
// data (?contact=<id>), send now or schedule it at a time in a time zone,
// pause, resume, cancel, and watch the progress (progress/ answers the page's
// polls while it sends).
import { error, fail } from '@sveltejs/kit';
import { env } from '$env/dynamic/private';
import * as campaigns from '$lib/server/campaigns';
import * as orgs from '$lib/server/orgs';
import * as sending from '$lib/server/sending';
import * as templates from '$lib/server/templates';
import type { TemplateIssue } from '$lib/templates/validate';
import { describeError, throwHttp, timeZones } from '../../respond.server';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async ({ locals, parent, params, url }) => {
	const { org } = await parent();
	const { contact } = sending.previewQuery.parse({ contact: url.searchParams.get('contact') });
	return locals
		.db(async (trx) => {
			const campaign = await campaigns.get(trx, org.id, params.id);
			if (campaign.kind === 'influencer')
				error(404, 'Influencer campaigns are not sent from here: invite influencers instead.');
			const channel = campaign.kind;
			const textChannel = channel === 'email' ? null : channel;
			const [message, zones, people] = await Promise.all([
				sending.get(trx, org.id, params.id),
				timeZones(trx),
				templates.contactsToPreview(trx, org.id)
			]);
			const failures = message?.failed ? await sending.failures(trx, org.id, params.id) : [];
			const common = { campaign, channel, message, zones, failures, people, previewFor: contact };
			if (textChannel) {
				return {
					...common,
					choices: null,
					preview: null,
					test: null,
					textChoices: await sending.text.textTemplateChoices(trx, org.id, textChannel),
					textPreview: await sending.text.previewText(trx, org, params.id, textChannel, contact),
					sender: sending.text.senderOf(textChannel, env),
					waits: sending.subjectTest.WAITS
				};
			}
			return {
				...common,
				choices: await sending.templateChoices(trx, org.id),
				preview: await sending.preview(trx, org, params.id, contact),
				test: await sending.subjectTest.get(trx, org.id, params.id),
				textChoices: null,
				textPreview: null,
				sender: null,
				waits: sending.subjectTest.WAITS
			};
		})
		.catch(throwHttp);
};

type Outcome = { message?: string; field?: string; done?: string; issues?: TemplateIssue[] };

async function run(
	event: RequestEvent,
	fn: Parameters<typeof orgs.withOrg<void>>[1],
	done: string
) {
	try {
		await orgs.withOrg(event, fn);
	} catch (e) {
		if (e instanceof sending.MessageNotFoundError) return fail(409, { message: e.message });
		if (
			e instanceof sending.subjectTest.SubjectTestInvalidError ||
			e instanceof sending.text.TextInvalidError ||
			e instanceof sending.text.WrongChannelTemplateError ||
			e instanceof sending.NotAnEmailCampaignError
		)
			return fail(400, { message: e.message, field: e.field } as Outcome);
		if (e instanceof sending.text.NotATextCampaignError)
			return fail(400, { message: e.message } as Outcome);
		if (
			e instanceof sending.NotAnEmailTemplateError ||
			e instanceof templates.TemplateNotFoundError
		)
			return fail(400, {
				message:
					e instanceof sending.NotAnEmailTemplateError
						? e.message
						: 'Choose a template from the list.',
				field: 'templateId'
			} as Outcome);
		if (e instanceof templates.TemplateInvalidError) {
			const first = e.issues[0];
			return fail(422, {
				message: e.message,
				field: first?.blockId === null ? first.field : 'templateId',
				issues: e.issues
			} as Outcome);
		}
		const known = describeError(e);
		if (!known) throw e;
		return fail(known.status, { message: known.message, field: known.field } as Outcome);
	}
	return { done } as Outcome;
}

const field = (data: FormData, name: string) => {
	const v = data.get(name);
	return typeof v === 'string' ? v : '';
};

export const actions: Actions = {
	save: async (event) => {
		const data = await event.request.formData();
		const parsed = sending.messageSchema.safeParse({
			templateId: field(data, 'templateId'),
			subject: field(data, 'subject'),
			preheader: field(data, 'preheader'),
			fromName: field(data, 'fromName'),
			replyTo: field(data, 'replyTo')
		});
		if (!parsed.success) {
			const issue = parsed.error.issues[0]!;
			return fail(400, { message: issue.message, field: String(issue.path[0]) } as Outcome);
		}
		return run(
			event,
			(trx, org) => sending.choose(trx, org.id, event.params.id, parsed.data),
			'Message saved.'
		);
	},
	saveText: async (event) => {
		const data = await event.request.formData();
		const parsed = sending.text.textSchema.safeParse({
			templateId: field(data, 'templateId'),
			text: field(data, 'text')
		});
		if (!parsed.success) {
			const issue = parsed.error.issues[0]!;
			return fail(400, { message: issue.message, field: String(issue.path[0]) } as Outcome);
		}
		return run(
			event,
			(trx, org) => sending.text.saveText(trx, org.id, event.params.id, parsed.data),
			'Message saved.'
		);
	},
	send: (event) =>
		run(event, (trx, org) => sending.sendNow(trx, org.id, event.params.id), 'Sending has started.'),
	schedule: async (event) => {
		const data = await event.request.formData();
		const parsed = sending.scheduleSchema.safeParse({
			sendAt: field(data, 'sendAt'),
			timeZone: field(data, 'timeZone')
		});
		if (!parsed.success) {
			const issue = parsed.error.issues[0]!;
			return fail(400, { message: issue.message, field: String(issue.path[0]) } as Outcome);
		}
		return run(
			event,
			(trx, org) =>
				sending.schedule(trx, org.id, event.params.id, parsed.data.sendAt, parsed.data.timeZone),
			'Scheduled.'
		);
	},
	saveTest: async (event) => {
		const data = await event.request.formData();
		const parsed = sending.subjectTest.subjectTestSchema.safeParse({
			subjects: data.getAll('subjects').map((v) => (typeof v === 'string' ? v : '')),
			samplePercent: field(data, 'samplePercent'),
			waitMinutes: field(data, 'waitMinutes'),
			metric: field(data, 'metric')
		});
		if (!parsed.success) {
			const issue = parsed.error.issues[0]!;
			return fail(400, { message: issue.message, field: String(issue.path[0]) } as Outcome);
		}
		return run(
			event,
			(trx, org) => sending.subjectTest.save(trx, org.id, event.params.id, parsed.data),
			'Subject test saved.'
		);
	},
	removeTest: (event) =>
		run(
			event,
			(trx, org) => sending.subjectTest.remove(trx, org.id, event.params.id),
			'Subject test removed.'
		),
	unschedule: (event) =>
		run(
			event,
			(trx, org) => sending.unschedule(trx, org.id, event.params.id),
			'No longer scheduled.'
		),
	pause: (event) =>
		run(event, (trx, org) => sending.pause(trx, org.id, event.params.id), 'Paused.'),
	resume: (event) =>
		run(event, (trx, org) => sending.resume(trx, org.id, event.params.id), 'Sending again.'),
	cancel: (event) =>
		run(event, (trx, org) => sending.cancel(trx, org.id, event.params.id), 'Cancelled.')
};
