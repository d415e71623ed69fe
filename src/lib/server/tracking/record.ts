// What the public tracking routes and the provider webhook do once a
// signature checked out: one narrow database function each (schema
// `tracking`, not exposed through the Data API), run as the request's role
// (anon for a mail client or a provider). The send worker registers the links
// a campaign's clicks may redirect to (service role).
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';

/** Records an open of a sent message; false when no such sent message exists. */
export async function open(trx: Trx, recipientId: string): Promise<boolean> {
	const { rows } = await sql<{ ok: boolean }>`
		select tracking.open(${recipientId}::uuid) as ok`.execute(trx);
	return rows[0]?.ok === true;
}

/** Records a click and returns the link's registered URL; null when the message or link is unknown. */
export async function click(
	trx: Trx,
	recipientId: string,
	position: number
): Promise<string | null> {
	const { rows } = await sql<{ url: string | null }>`
		select tracking.click(${recipientId}::uuid, ${position}::integer) as url`.execute(trx);
	return rows[0]?.url ?? null;
}

export type ProviderReportKind = 'bounce' | 'soft_bounce' | 'complaint' | 'delivered';
export type ProviderReportOutcome = 'recorded' | 'duplicate' | 'unknown';

/** A provider's report on a message: bounce, complaint or delivery (idempotent). */
export async function providerReport(
	trx: Trx,
	recipientId: string,
	kind: ProviderReportKind,
	reason: string | null
): Promise<ProviderReportOutcome> {
	const { rows } = await sql<{ outcome: ProviderReportOutcome }>`
		select tracking.provider_report(${recipientId}::uuid, ${kind}, ${reason}) as outcome`.execute(trx);
	return rows[0]!.outcome;
}

/**
 * Worker (service role): the links a campaign's click tokens may name, in the
 * order `trackLinks` was given them. Call once before sending (again with the
 * same list is a no-op; a changed list is refused).
 */
export async function registerLinks(
	trx: Trx,
	campaignId: string,
	links: readonly string[]
): Promise<void> {
	await sql`select private.message_register_links(${campaignId}::uuid, ${[...links]}::text[])`.execute(
		trx
	);
}
