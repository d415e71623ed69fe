// Autosave of a wizard step (debounced as people type): JSON in, the new
// revision out; 409 with what the other person saved when the section moved on
// since the revision the edit started from.
import { error, json } from '@sveltejs/kit';
import { z } from 'zod';
import { diffSection } from '$lib/campaigns/diff';
import { isStep } from '$lib/campaigns/steps';
import { MAX_JSON_DEPTH, jsonDepth } from '$lib/json-bounds';
import * as campaigns from '$lib/server/campaigns';
import * as orgs from '$lib/server/orgs';
import { diffNames, throwHttp } from '../../../../respond.server';
import type { RequestHandler } from './$types';

const bodySchema = z.object({
	revision: z.number().int().positive(),
	data: z.record(z.string(), z.unknown())
});

export const POST: RequestHandler = async (event) => {
	let raw: unknown;
	try {
		raw = await event.request.json();
	} catch {
		error(400, 'The draft could not be read.');
	}
	if (jsonDepth(raw, MAX_JSON_DEPTH + 1) > MAX_JSON_DEPTH)
		error(400, 'The draft is nested too deeply.');
	const body = bodySchema.safeParse(raw);
	if (!body.success) error(400, 'The draft could not be read.');
	try {
		return await orgs.withOrg(event, async (trx, org) => {
			const campaign = await campaigns.get(trx, org.id, event.params.id);
			const step = event.params.step;
			if (!isStep(campaign.kind, step) || step === 'review') error(404, 'Page not found');
			const section = step;
			const result = await campaigns.saveSection(
				trx,
				campaign.id,
				section,
				body.data.data,
				body.data.revision
			);
			if (result.saved)
				return json({ saved: true, revision: result.revision, version: result.version });
			const by = result.current.updatedBy;
			const names = await diffNames(trx, org.id);
			return json(
				{
					saved: false,
					conflict: {
						revision: result.current.revision,
						data: result.current.data,
						by: (await campaigns.history.people(trx, [by])).get(by ?? '') ?? null,
						at: result.current.updatedAt,
						changes: diffSection(section, body.data.data, result.current.data, names)
					}
				},
				{ status: 409 }
			);
		});
	} catch (e) {
		throwHttp(e);
	}
};
