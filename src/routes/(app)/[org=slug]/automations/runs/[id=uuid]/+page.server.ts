import { error, fail } from '@sveltejs/kit';
import * as automations from '$lib/server/automations';
import { mapDbError, type Trx } from '$lib/server/db';
import * as orgs from '$lib/server/orgs';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async ({ locals, parent, params }) => {
	const { org } = await parent();
	try {
		return { run: await locals.db((trx) => automations.getRun(trx, org.id, params.id)) };
	} catch (e) {
		if (e instanceof automations.AutomationNotFoundError) error(404, 'Run not found');
		throw e;
	}
};

async function act(
	event: RequestEvent,
	fn: (trx: Trx, runId: string) => Promise<boolean | void>,
	done: string
) {
	try {
		const changed = await orgs.withOrg(event, (trx) => fn(trx, event.params.id));
		if (changed === false) return fail(409, { message: 'The run had already finished.' });
	} catch (e) {
		if (e instanceof automations.AutomationNotFoundError) error(404, 'Run not found');
		if (e instanceof automations.AutomationStateError) return fail(422, { message: e.message });
		const mapped = mapDbError(e);
		if (mapped) return fail(mapped.status, { message: mapped.message });
		throw e;
	}
	return { message: done };
}

export const actions: Actions = {
	cancel: (event) => act(event, automations.cancelRun, 'The run was cancelled.'),
	retry: (event) => act(event, automations.retryRun, 'The run restarts at the failed step.')
};
