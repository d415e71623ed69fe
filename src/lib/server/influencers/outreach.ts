// Outreach email from an influencer's record: a message template rendered with
// the influencer's details as merge tags ({{contact.first_name}} is the first
// word of their name, {{contact.email}} their address…), sent through the
// app's mailer with the organization's name and the sender as reply-to, and
// logged on the record. The log row is written (sending) and committed before
// the mail goes out and marked sent or failed after, so a crash in between
// leaves "sending" (unknown) rather than a message nobody knows about.
import type { Trx } from '../db/rls.ts';
import type { Mailer } from '../mail/mailer.ts';
import { renderEmail, validateEmail, type MergeVars } from '../../templates/index.ts';
import * as templates from '../templates/index.ts';
import { InfluencerNotFoundError, NoEmailError } from './errors.ts';

export type OutreachEntry = {
	id: string;
	templateName: string | null;
	subject: string;
	toEmail: string;
	status: 'sending' | 'sent' | 'failed';
	error: string | null;
	sentByName: string | null;
	createdAt: string;
	sentAt: string | null;
};

const iso = (v: Date | string | null): string | null => (v instanceof Date ? v.toISOString() : v);

/** Every message sent from the record, newest first. */
export async function history(
	trx: Trx,
	orgId: string,
	influencerId: string
): Promise<OutreachEntry[]> {
	const rows = await trx
		.selectFrom('influencer_outreach as o')
		.leftJoin('profiles as p', 'p.id', 'o.sent_by')
		.select([
			'o.id',
			'o.template_name',
			'o.subject',
			'o.to_email',
			'o.status',
			'o.error',
			'o.created_at',
			'o.sent_at',
			'p.full_name',
			'p.email'
		])
		.where('o.org_id', '=', orgId)
		.where('o.influencer_id', '=', influencerId)
		.orderBy('o.created_at', 'desc')
		.orderBy('o.id', 'desc')
		.limit(200)
		.execute();
	return rows.map((r) => ({
		id: r.id,
		templateName: r.template_name,
		subject: r.subject,
		toEmail: r.to_email,
		status: r.status as OutreachEntry['status'],
		error: r.error,
		sentByName: r.full_name || r.email || null,
		createdAt: iso(r.created_at)!,
		sentAt: iso(r.sent_at)
	}));
}

/** The influencer's details as merge values: their name split for first/last name tags. */
export function varsFor(
	influencer: { name: string; email: string | null; phone: string | null },
	orgName: string
): MergeVars {
	const [first = '', ...rest] = influencer.name.trim().split(/\s+/);
	return {
		org: { name: orgName },
		// Outreach is one-to-one: there is no list to unsubscribe from.
		unsubscribe_url: null,
		contact: {
			email: influencer.email,
			first_name: first,
			last_name: rest.join(' ') || null,
			full_name: influencer.name,
			company: null,
			phone: influencer.phone
		}
	};
}

export type OutreachRequest = {
	orgId: string;
	orgName: string;
	influencerId: string;
	templateId: string;
	subject: string;
	/** The person sending (replies go to them). */
	sender: { email: string; name: string | null };
};

/**
 * Renders, logs, sends and marks one outreach email. Three short RLS
 * transactions: log (sending), then the SMTP call outside any transaction,
 * then sent or failed. Returns the log entry's id; a mail failure is logged
 * and rethrown.
 */
/** Runs a function in one RLS transaction of the request (locals.db). */
export type RunInTransaction = <T>(fn: (trx: Trx) => Promise<T>) => Promise<T>;

export async function send(
	run: RunInTransaction,
	mailer: Mailer,
	req: OutreachRequest
): Promise<string> {
	const prepared = await run(async (trx) => {
		const influencer = await trx
			.selectFrom('influencers')
			.select(['id', 'name', 'email', 'phone'])
			.where('org_id', '=', req.orgId)
			.where('id', '=', req.influencerId)
			.executeTakeFirst();
		if (!influencer) throw new InfluencerNotFoundError();
		if (!influencer.email) throw new NoEmailError();
		const template = await templates.get(trx, req.orgId, req.templateId);
		if (template.channel !== 'email' || !template.document)
			throw new templates.TemplateReadOnlyError();
		const headers = { subject: req.subject, preheader: template.preheader };
		const issues = validateEmail(template.document, headers, {
			customKeys: new Set(),
			marketing: false
		});
		if (issues.length > 0) throw new templates.TemplateInvalidError(issues);
		const rendered = await renderEmail(
			template.document,
			varsFor(influencer, req.orgName),
			headers
		);
		const log = await trx
			.insertInto('influencer_outreach')
			.values({
				org_id: req.orgId,
				influencer_id: influencer.id,
				template_id: template.id,
				template_name: template.name.slice(0, 120),
				subject: rendered.subject.slice(0, 300) || req.subject,
				to_email: influencer.email
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		return { logId: log.id, to: influencer.email, rendered };
	});
	try {
		await mailer.send({
			to: prepared.to,
			subject: prepared.rendered.subject,
			html: prepared.rendered.html,
			text: prepared.rendered.text,
			fromName: req.orgName,
			replyTo: req.sender.email
		});
	} catch (error) {
		await run((trx) =>
			trx
				.updateTable('influencer_outreach')
				.set({ status: 'failed', error: (error as Error).message.slice(0, 500) })
				.where('id', '=', prepared.logId)
				.execute()
		);
		throw error;
	}
	await run((trx) =>
		trx
			.updateTable('influencer_outreach')
			.set({ status: 'sent' })
			.where('id', '=', prepared.logId)
			.execute()
	);
	return prepared.logId;
}
