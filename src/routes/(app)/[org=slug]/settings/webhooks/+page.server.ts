import { env } from '$env/dynamic/private';
import { error, fail } from '@sveltejs/kit';
import { setError, superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { failFromDb } from '$lib/server/db';
import * as orgs from '$lib/server/orgs';
import * as webhooks from '$lib/server/webhooks';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { deliveryIdSchema, subscribeSchema, subscriptionIdSchema } from './schema';

export const load: PageServerLoad = async ({ locals, parent }) => {
	const { org, permissions } = await parent();
	if (!permissions.includes('webhooks.manage'))
		error(403, 'Only people who manage webhooks can see them.');
	const [subscriptions, deliveries] = await locals.db((trx) =>
		Promise.all([
			webhooks.listSubscriptions(trx, org.id),
			webhooks.listDeliveries(trx, org.id, { limit: 50 })
		])
	);
	return {
		// The signing secret is shown once, when created or rotated; never in the list.
		subscriptions: subscriptions.map(({ secret: _secret, ...s }) => s),
		deliveries,
		subscribeForm: await superValidate(zod4(subscribeSchema), { id: 'subscribe', errors: false })
	};
};

const policy = () => webhooks.outboundPolicyFromEnv(env);

async function idOf<T extends typeof subscriptionIdSchema | typeof deliveryIdSchema>(
	event: RequestEvent,
	schema: T
) {
	const parsed = schema.safeParse(Object.fromEntries(await event.request.formData()));
	return parsed.success ? parsed.data.id : null;
}

function failure(e: unknown) {
	if (e instanceof webhooks.WebhookNotFoundError) return fail(404, { error: e.message });
	throw e;
}

export const actions: Actions = {
	subscribe: async (event) => {
		const form = await superValidate(event.request, zod4(subscribeSchema), { id: 'subscribe' });
		if (!form.valid) return fail(400, { form });
		try {
			const created = await orgs.withOrg(event, (trx, org) =>
				webhooks.createSubscription(trx, org.id, form.data, policy())
			);
			return { form, secret: { id: created.id, url: created.url, value: created.secret } };
		} catch (e) {
			if (e instanceof webhooks.WebhookInputError) {
				return e.field === 'url'
					? setError(form, 'url', e.message)
					: setError(form, 'eventTypes._errors', e.message);
			}
			return failFromDb(form, e);
		}
	},
	rotate: async (event) => {
		const id = await idOf(event, subscriptionIdSchema);
		if (!id) return fail(400, { error: 'Choose a webhook.' });
		try {
			const secret = await orgs.withOrg(event, (trx, org) =>
				webhooks.rotateSubscriptionSecret(trx, org.id, id)
			);
			return { secret: { id, url: '', value: secret } };
		} catch (e) {
			return failure(e);
		}
	},
	toggle: async (event) => {
		const data = Object.fromEntries(await event.request.formData());
		const id = subscriptionIdSchema.safeParse(data);
		if (!id.success) return fail(400, { error: 'Choose a webhook.' });
		try {
			await orgs.withOrg(event, async (trx, org) => {
				const current = (await webhooks.listSubscriptions(trx, org.id)).find(
					(s) => s.id === id.data.id
				);
				if (!current) throw new webhooks.WebhookNotFoundError(id.data.id);
				await webhooks.updateSubscription(
					trx,
					org.id,
					current.id,
					{ ...current, enabled: !current.enabled },
					policy()
				);
			});
		} catch (e) {
			return failure(e);
		}
		return { done: 'Saved.' };
	},
	remove: async (event) => {
		const id = await idOf(event, subscriptionIdSchema);
		if (!id) return fail(400, { error: 'Choose a webhook.' });
		try {
			await orgs.withOrg(event, (trx, org) => webhooks.removeSubscription(trx, org.id, id));
		} catch (e) {
			return failure(e);
		}
		return { done: 'The webhook was removed.' };
	},
	replay: async (event) => {
		const id = await idOf(event, deliveryIdSchema);
		if (!id) return fail(400, { error: 'Choose a delivery.' });
		try {
			await orgs.withOrg(event, (trx) => webhooks.replay(trx, id));
		} catch (e) {
			return failure(e);
		}
		return { done: 'Queued again; the new delivery appears at the top.' };
	}
};
