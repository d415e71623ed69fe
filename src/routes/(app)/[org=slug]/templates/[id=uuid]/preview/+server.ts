// The editor's live preview: the content as it is being edited (not yet
// saved), rendered with a chosen contact's data, with every problem found.
// JSON in, JSON out; nothing is written.
import { error, json } from '@sveltejs/kit';
import { z } from 'zod';
import * as orgs from '$lib/server/orgs';
import * as templates from '$lib/server/templates';
import { describeError } from '../../respond.server';
import { MAX_PAYLOAD } from '../payload.server';
import type { RequestHandler } from './$types';

const body = templates.saveInput.extend({ contactId: z.uuid().nullable().default(null) });

export const POST: RequestHandler = async (event) => {
	if (!event.request.headers.get('content-type')?.startsWith('application/json'))
		error(415, 'Send the template as JSON.');
	const raw = await event.request.text();
	if (raw.length > MAX_PAYLOAD) error(413, 'This template is too large.');
	let value: unknown;
	try {
		value = JSON.parse(raw);
	} catch {
		error(400, 'The template could not be read.');
	}
	const parsed = body.safeParse(value);
	if (!parsed.success) {
		const issue = parsed.error.issues[0]!;
		error(400, `${String(issue.path[0] ?? 'payload')}: ${issue.message}`);
	}
	const input = parsed.data;
	try {
		return json(
			await orgs.withOrg(event, async (trx, org) => {
				const template = await templates.get(trx, org.id, event.params.id);
				const { document, issues } = await templates.check(trx, org.id, template.channel, input);
				const vars = await templates.varsFor(trx, org.id, org.name, input.contactId);
				if (template.channel === 'email')
					return {
						issues,
						preview: document
							? await templates.previewEmail(
									document,
									{ subject: input.subject, preheader: input.preheader },
									vars
								)
							: null
					};
				return { issues, preview: templates.previewText(template.channel, input.body, vars) };
			})
		);
	} catch (e) {
		const known = describeError(e);
		if (!known) throw e;
		error(known.status, known.message);
	}
};
