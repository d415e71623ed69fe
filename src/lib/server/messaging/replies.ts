// What the app does with a provider's signed report, once the adapter has
// verified it: a delivery receipt of a campaign text is recorded
// (message.delivered / message.failed, once each), and a reply that is an
// opt-out keyword withdraws the contact's consent for that channel (START
// gives it back), as the carriers' and WhatsApp's rules expect. Other replies
// are left for the inbox.
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';
import type { DeliveryReceipt, InboundReply } from './adapter.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The words that stop and restart messages (the industry's standard set, CTIA/Twilio). */
export const STOP_WORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT'] as const;
export const START_WORDS = ['START', 'UNSTOP'] as const;

/**
 * 'stop' / 'start' when the whole reply is one of the keywords (any case,
 * surrounding spaces and punctuation ignored: "Stop." counts, "don't stop" does not).
 */
export function keywordOf(body: string): 'stop' | 'start' | null {
	const word = body
		.trim()
		.replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '')
		.toUpperCase();
	if ((STOP_WORDS as readonly string[]).includes(word)) return 'stop';
	if ((START_WORDS as readonly string[]).includes(word)) return 'start';
	return null;
}

export type ReceiptOutcome = 'recorded' | 'duplicate' | 'ignored' | 'unknown';

/** Records a verified delivery receipt of a campaign text (idempotent). */
export async function recordReceipt(trx: Trx, receipt: DeliveryReceipt): Promise<ReceiptOutcome> {
	if (!receipt.reference || !UUID.test(receipt.reference)) return 'unknown';
	const { rows } = await sql<{ outcome: ReceiptOutcome }>`
		select tracking.text_receipt(${receipt.reference}::uuid, ${receipt.providerId},
		                             ${receipt.status}, ${receipt.error}) as outcome`.execute(trx);
	return rows[0]!.outcome;
}

/** Acts on a verified reply: STOP/START change consent; returns the contacts changed (0 for other text). */
export async function handleReply(trx: Trx, reply: InboundReply): Promise<number> {
	const keyword = keywordOf(reply.body);
	if (!keyword) return 0;
	const { rows } = await sql<{ n: number }>`
		select tracking.text_reply(${reply.channel}, ${reply.from}, ${keyword}) as n`.execute(trx);
	return rows[0]?.n ?? 0;
}
