// Incoming webhook endpoints: each has a signing secret; requests signed with
// it create or update contacts through the inbound-webhook edge function
// (POST {PUBLIC_SUPABASE_URL}/functions/v1/inbound-webhook/<id>). Every request,
// refused ones included, is logged.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Trx } from '../db/rls.ts';
import { WebhookNotFoundError } from './errors.ts';

export const endpointInputSchema = z.object({
	name: z.string().trim().min(1, 'Name the endpoint.').max(100, 'Use at most 100 characters.'),
	source: z
		.string()
		.trim()
		.min(1, 'Say where contacts come from.')
		.max(50, 'Use at most 50 characters.')
		.default('webhook'),
	enabled: z.boolean().default(true)
});
export type EndpointInput = z.input<typeof endpointInputSchema>;

export type Endpoint = {
	id: string;
	name: string;
	source: string;
	enabled: boolean;
	secret: string;
	lastReceivedAt: string | null;
	createdAt: string;
};

export type InboundRequest = {
	id: string;
	receivedAt: string;
	statusCode: number;
	error: string | null;
	contactId: string | null;
	eventId: string | null;
};

const iso = (v: unknown) =>
	v === null || v === undefined ? null : new Date(v as string).toISOString();

/** Where a third party posts to, given the project's API URL (PUBLIC_SUPABASE_URL). */
export function endpointUrl(apiUrl: string, endpointId: string): string {
	return `${apiUrl.replace(/\/$/, '')}/functions/v1/inbound-webhook/${endpointId}`;
}

const columns = [
	'id',
	'name',
	'source',
	'enabled',
	'secret',
	'last_received_at',
	'created_at'
] as const;

function toEndpoint(r: {
	id: string;
	name: string;
	source: string;
	enabled: boolean;
	secret: string;
	last_received_at: unknown;
	created_at: unknown;
}): Endpoint {
	return {
		id: r.id,
		name: r.name,
		source: r.source,
		enabled: r.enabled,
		secret: r.secret,
		lastReceivedAt: iso(r.last_received_at),
		createdAt: iso(r.created_at)!
	};
}

export async function listEndpoints(trx: Trx, orgId: string): Promise<Endpoint[]> {
	const rows = await trx
		.selectFrom('inbound_webhooks')
		.select(columns)
		.where('org_id', '=', orgId)
		.orderBy('name')
		.execute();
	return rows.map(toEndpoint);
}

export async function createEndpoint(
	trx: Trx,
	orgId: string,
	input: EndpointInput
): Promise<Endpoint> {
	const e = endpointInputSchema.parse(input);
	const row = await trx
		.insertInto('inbound_webhooks')
		.values({ org_id: orgId, ...e })
		.returning(columns)
		.executeTakeFirstOrThrow();
	return toEndpoint(row);
}

export async function updateEndpoint(
	trx: Trx,
	orgId: string,
	id: string,
	input: EndpointInput
): Promise<void> {
	const e = endpointInputSchema.parse(input);
	const result = await trx
		.updateTable('inbound_webhooks')
		.set(e)
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	if (result.numUpdatedRows !== 1n) throw new WebhookNotFoundError(id, 'Endpoint');
}

export async function removeEndpoint(trx: Trx, orgId: string, id: string): Promise<void> {
	const result = await trx
		.deleteFrom('inbound_webhooks')
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	if (result.numDeletedRows !== 1n) throw new WebhookNotFoundError(id, 'Endpoint');
}

export async function rotateEndpointSecret(trx: Trx, orgId: string, id: string): Promise<string> {
	const secret = randomBytes(32).toString('hex');
	const result = await trx
		.updateTable('inbound_webhooks')
		.set({ secret })
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	if (result.numUpdatedRows !== 1n) throw new WebhookNotFoundError(id, 'Endpoint');
	return secret;
}

export async function listRequests(
	trx: Trx,
	orgId: string,
	endpointId: string,
	limit = 50
): Promise<InboundRequest[]> {
	const rows = await trx
		.selectFrom('inbound_webhook_requests')
		.select(['id', 'received_at', 'status_code', 'error', 'contact_id', 'event_id'])
		.where('org_id', '=', orgId)
		.where('endpoint_id', '=', endpointId)
		.orderBy('received_at', 'desc')
		.limit(Math.min(limit, 200))
		.execute();
	return rows.map((r) => ({
		id: String(r.id),
		receivedAt: iso(r.received_at)!,
		statusCode: r.status_code,
		error: r.error,
		contactId: r.contact_id,
		eventId: r.event_id === null ? null : String(r.event_id)
	}));
}
