// A campaign's message and its sending: read, save (refused by the database
// once sending started), send now, schedule at a wall-clock time in a time
// zone, pause, resume, cancel, and progress for the campaign page and list.
// RLS and the message_sends triggers decide who may do what and which moves
// are legal; this module only asks.
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';
import type { Progress, SendStatus } from '../../sending/words.ts';

export type Message = Progress & {
	campaignId: string;
	/** The template the message was made from (its document is copied into the message). */
	templateId: string | null;
	/**
	 * A block document from a template, HTML typed before templates existed
	 * (still sent as it is), or the text of an SMS or WhatsApp campaign.
	 */
	kind: 'document' | 'html' | 'text' | null;
	subject: string;
	preheader: string;
	fromName: string;
	replyTo: string | null;
	html: string;
	/** The text of an SMS or WhatsApp campaign ('' for email). */
	text: string;
	timeZone: string;
};

export class MessageNotFoundError extends Error {
	override readonly name = 'MessageNotFoundError';
	constructor() {
		super('This campaign has no message yet: write it first.');
	}
}

const iso = (v: Date | string | null): string | null =>
	v === null ? null : v instanceof Date ? v.toISOString() : v;

type Row = {
	campaign_id: string;
	template_id: string | null;
	status: SendStatus;
	subject: string;
	preheader: string;
	from_name: string;
	reply_to: string | null;
	content: unknown;
	send_at: Date | string | null;
	time_zone: string;
	started_at: Date | string | null;
	finished_at: Date | string | null;
	problem: string | null;
	recipients: number;
	sent: number;
	failed: number;
	suppressed: number;
	suppressed_by_reason: unknown;
};

function toMessage(r: Row): Message {
	const content = (r.content ?? {}) as { html?: unknown; sections?: unknown; text?: unknown };
	return {
		campaignId: r.campaign_id,
		templateId: r.template_id,
		kind: Array.isArray(content.sections)
			? 'document'
			: typeof content.html === 'string'
				? 'html'
				: typeof content.text === 'string'
					? 'text'
					: null,
		status: r.status,
		subject: r.subject,
		preheader: r.preheader,
		fromName: r.from_name,
		replyTo: r.reply_to,
		html: typeof content.html === 'string' ? content.html : '',
		text: typeof content.text === 'string' ? content.text : '',
		timeZone: r.time_zone,
		sendAt: iso(r.send_at),
		startedAt: iso(r.started_at),
		finishedAt: iso(r.finished_at),
		problem: r.problem,
		recipients: r.recipients,
		sent: r.sent,
		failed: r.failed,
		suppressed: r.suppressed,
		suppressedByReason: (r.suppressed_by_reason ?? {}) as Record<string, number>
	};
}

const COLUMNS = [
	'campaign_id',
	'template_id',
	'status',
	'subject',
	'preheader',
	'from_name',
	'reply_to',
	'content',
	'send_at',
	'time_zone',
	'started_at',
	'finished_at',
	'problem',
	'recipients',
	'sent',
	'failed',
	'suppressed',
	'suppressed_by_reason'
] as const;

/** The campaign's message, or null when none was written yet. */
export async function get(trx: Trx, orgId: string, campaignId: string): Promise<Message | null> {
	const row = await trx
		.selectFrom('message_sends')
		.select(COLUMNS)
		.where('org_id', '=', orgId)
		.where('campaign_id', '=', campaignId)
		.executeTakeFirst();
	return row ? toMessage(row) : null;
}

async function move(
	trx: Trx,
	orgId: string,
	campaignId: string,
	set: { status: SendStatus; send_at?: string; time_zone?: string }
): Promise<void> {
	const result = await trx
		.updateTable('message_sends')
		.set(set)
		.where('org_id', '=', orgId)
		.where('campaign_id', '=', campaignId)
		.executeTakeFirst();
	if (result.numUpdatedRows === 0n) throw new MessageNotFoundError();
}

/** Freezes the recipients and starts sending (refused for an empty audience). */
export const sendNow = (trx: Trx, orgId: string, id: string) =>
	move(trx, orgId, id, { status: 'sending' });
export const pause = (trx: Trx, orgId: string, id: string) =>
	move(trx, orgId, id, { status: 'paused' });
export const resume = (trx: Trx, orgId: string, id: string) =>
	move(trx, orgId, id, { status: 'sending' });
export const cancel = (trx: Trx, orgId: string, id: string) =>
	move(trx, orgId, id, { status: 'cancelled' });
export const unschedule = (trx: Trx, orgId: string, id: string) =>
	move(trx, orgId, id, { status: 'draft' });

/** Schedules at a wall-clock time in a time zone (a time already past is refused). */
export async function schedule(
	trx: Trx,
	orgId: string,
	id: string,
	localTime: string,
	timeZone: string
): Promise<void> {
	const { rows } = await sql<{
		at: Date;
	}>`select (${localTime}::timestamp at time zone ${timeZone}) as at`.execute(trx);
	await move(trx, orgId, id, {
		status: 'scheduled',
		send_at: rows[0]!.at.toISOString(),
		time_zone: timeZone
	});
}

/** Progress of several campaigns at once (the campaign list). */
export async function progressOf(
	trx: Trx,
	orgId: string,
	campaignIds: string[]
): Promise<Map<string, Progress>> {
	if (campaignIds.length === 0) return new Map();
	const rows = await trx
		.selectFrom('message_sends')
		.select(COLUMNS)
		.where('org_id', '=', orgId)
		.where('campaign_id', 'in', campaignIds)
		.execute();
	return new Map(rows.map((r) => [r.campaign_id, toMessage(r)]));
}

export type Failure = { reason: string; count: number };

/**
 * Why messages were not delivered: the providers' refusals (an SMTP 550 "mailbox
 * unavailable", temporary refusals given up on), most frequent first.
 */
export async function failures(trx: Trx, orgId: string, campaignId: string): Promise<Failure[]> {
	const rows = await trx
		.selectFrom('message_recipients')
		.select((eb) => [
			eb.fn.coalesce('reason', eb.val('Refused by the mail server')).as('reason'),
			eb.fn.countAll<string>().as('count')
		])
		.where('org_id', '=', orgId)
		.where('campaign_id', '=', campaignId)
		.where('status', '=', 'failed')
		.groupBy('reason')
		.orderBy('count', 'desc')
		.orderBy('reason')
		.limit(10)
		.execute();
	return rows.map((r) => ({ reason: r.reason, count: Number(r.count) }));
}
