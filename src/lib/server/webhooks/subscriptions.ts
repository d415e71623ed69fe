// Outgoing webhooks (webhook_subscriptions): what admins with webhooks.manage
// subscribe, where, and the signing secret. URLs pointing at loopback or
// private addresses are refused unless configuration allows them (the worker
// checks the resolved addresses again when it delivers).
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { isEventType } from '../../events/catalog.ts';
import { urlProblem, type OutboundPolicy } from '../../webhooks/targets.ts';
import type { Trx } from '../db/rls.ts';
import { WebhookInputError, WebhookNotFoundError } from './errors.ts';

export const STRICT: OutboundPolicy = { allowLoopback: false, allowPrivate: false };

export const subscriptionInputSchema = z.object({
	url: z.string().trim().min(1, 'Enter the URL to post to.').max(2000, 'That URL is too long.'),
	description: z.string().trim().max(200, 'Use at most 200 characters.').default(''),
	eventTypes: z.array(z.string()).min(1, 'Choose at least one event.').max(100),
	enabled: z.boolean().default(true)
});
export type SubscriptionInput = z.input<typeof subscriptionInputSchema>;

export type Subscription = {
	id: string;
	url: string;
	description: string;
	eventTypes: string[];
	enabled: boolean;
	/** For verifying X-Growthdesk-Signature (HMAC-SHA256 over "<t>.<body>"). */
	secret: string;
	createdAt: string;
};

const columns = [
	'id',
	'url',
	'description',
	'event_types',
	'enabled',
	'secret',
	'created_at'
] as const;

type Row = {
	id: string;
	url: string;
	description: string;
	event_types: string[];
	enabled: boolean;
	secret: string;
	created_at: string;
};

const toSubscription = (r: Row): Subscription => ({
	id: r.id,
	url: r.url,
	description: r.description,
	eventTypes: r.event_types,
	enabled: r.enabled,
	secret: r.secret,
	createdAt: new Date(r.created_at).toISOString()
});

function checked(input: SubscriptionInput, policy: OutboundPolicy) {
	const s = subscriptionInputSchema.parse(input);
	const problem = urlProblem(s.url, policy);
	if (problem) throw new WebhookInputError('url', `This URL ${problem}.`);
	const unknown = s.eventTypes.filter((t) => !isEventType(t));
	if (unknown.length) {
		throw new WebhookInputError('eventTypes', `Unknown event type: ${unknown.join(', ')}.`);
	}
	return { ...s, eventTypes: [...new Set(s.eventTypes)] };
}

export async function listSubscriptions(trx: Trx, orgId: string): Promise<Subscription[]> {
	const rows = await trx
		.selectFrom('webhook_subscriptions')
		.select(columns)
		.where('org_id', '=', orgId)
		.orderBy('created_at')
		.execute();
	return rows.map(toSubscription);
}

export async function createSubscription(
	trx: Trx,
	orgId: string,
	input: SubscriptionInput,
	policy: OutboundPolicy = STRICT
): Promise<Subscription> {
	const s = checked(input, policy);
	const row = await trx
		.insertInto('webhook_subscriptions')
		.values({
			org_id: orgId,
			url: s.url,
			description: s.description,
			event_types: s.eventTypes,
			enabled: s.enabled
		})
		.returning(columns)
		.executeTakeFirstOrThrow();
	return toSubscription(row);
}

export async function updateSubscription(
	trx: Trx,
	orgId: string,
	id: string,
	input: SubscriptionInput,
	policy: OutboundPolicy = STRICT
): Promise<void> {
	const s = checked(input, policy);
	const result = await trx
		.updateTable('webhook_subscriptions')
		.set({ url: s.url, description: s.description, event_types: s.eventTypes, enabled: s.enabled })
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	if (result.numUpdatedRows !== 1n) throw new WebhookNotFoundError(id);
}

export async function removeSubscription(trx: Trx, orgId: string, id: string): Promise<void> {
	const result = await trx
		.deleteFrom('webhook_subscriptions')
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	if (result.numDeletedRows !== 1n) throw new WebhookNotFoundError(id);
}

/** A new signing secret (the old one stops working at once); returns it. */
export async function rotateSubscriptionSecret(
	trx: Trx,
	orgId: string,
	id: string
): Promise<string> {
	const secret = randomBytes(32).toString('hex');
	const result = await trx
		.updateTable('webhook_subscriptions')
		.set({ secret })
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	if (result.numUpdatedRows !== 1n) throw new WebhookNotFoundError(id);
	return secret;
}
