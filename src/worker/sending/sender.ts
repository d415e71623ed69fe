// The campaign sender: part of every worker process (`npm run worker`). Each
// lane loops: claim a throttled batch of recipients (private.message_claim,
// `for update skip locked`, with a lease), send each (email over the pooled
// SMTP transport; SMS and WhatsApp through the messaging adapter), mark each
// sent the moment the provider accepted it. Several lanes and several workers
// share the organization's token bucket in the database, so the limit holds
// however many run.
//
// Exactly once, and the residual risk: a worker killed at any moment leaves
// its claimed rows claimed; when their lease runs out another worker claims
// them again. A row is marked sent only after the provider's 250 (or 201), so
// nothing is lost. The one window left is between the provider's accept and
// the mark's commit: a kill there sends that message again on the next claim.
// It cannot be closed from our side: SMTP has no way to ask a server "did you
// take this one?" (a 250 lost with the connection looks exactly like a
// message never received), and a text provider's API has no idempotency key
// either. So the window is kept as small as it can be made:
//   * a process has at most `connections` messages in flight, whatever the
//     number of lanes (one shared set of send slots), and
//   * a slot sends its next message only once the previous one's mark has
//     committed, so each slot holds at most one accepted, unmarked message
//     (marks of messages the slots accepted meanwhile share one call and
//     one commit; that changes no slot's wait, only the cost per message).
// A kill therefore repeats at most `connections` messages of that process
// (tests/sending/send-kill.test.ts checks this bound per kill). A repeated
// email goes out with the same Message-ID (derived from the recipient row,
// fixed before the first attempt), which receiving mail systems and providers
// use to drop the copy. A message is also never sent by a lane whose lease
// has run out (another worker may own it by then): such rows are left for the
// next claim.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import pg from 'pg';
import { compose, type CampaignMessage, type ComposeConfig, type Recipient } from './compose.ts';
import { linksIn } from '../../lib/server/tracking/links.ts';
import { prepareContent } from './render.ts';
import { classify, createPooledTransport, type Refusal } from './smtp.ts';
import { sendText, type TextCampaign } from './texts.ts';
import { testSubjectsOf } from './subject-test.ts';
import type { MessagingAdapter, MessagingChannel } from '../../lib/server/messaging/adapter.ts';

export type SenderSettings = {
	connectionString: string;
	smtpUrl: string;
	compose: ComposeConfig;
	/** Recipients per claim (at most the bucket's burst). */
	batch: number;
	/** Claim loops per process. */
	lanes: number;
	/** Messages in flight per process: SMTP connections, and send slots shared by the lanes. */
	connections: number;
	/** SMS/WhatsApp provider (Twilio-shaped; the platform's stand-in locally); null: none configured. */
	messaging?: MessagingAdapter | null;
	leaseSeconds: number;
	retryBaseMs: number;
	maxAttempts: number;
	pollMs: number;
	log: (line: string) => void;
};

export type Sender = { stop(): Promise<void>; workerId: string };

type Claim = {
	campaign_id?: string;
	org_id?: string;
	recipients?: Recipient[];
	wait_ms?: number;
};

export function startSender(settings: SenderSettings): Sender {
	const workerId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
	const pool = new pg.Pool({
		connectionString: settings.connectionString,
		max: settings.lanes + settings.connections
	});
	pool.on('error', (e) => settings.log(`sender connection lost: ${e.message}`));
	const transport: Transporter = createPooledTransport(settings.smtpUrl, settings.connections);
	const campaigns = new Map<string, CampaignMessage>();
	const texts = new Map<string, TextCampaign>();
	const channels = new Map<string, 'email' | MessagingChannel>();
	let stopped = false;
	// The process's send slots, shared by every lane: at most `connections`
	// messages in flight at once (see the file header).
	let freeSlots = Math.max(1, settings.connections);
	const slotWaiters: Array<() => void> = [];
	const takeSlot = (): Promise<void> | void => {
		if (freeSlots > 0) {
			freeSlots--;
			return;
		}
		return new Promise<void>((resolve) => slotWaiters.push(resolve));
	};
	const giveSlot = () => {
		const next = slotWaiters.shift();
		if (next) next();
		else freeSlots++;
	};
	// Lanes asleep (nothing to send, or waiting for the bucket), each with its wake-up.
	const sleepers = new Set<() => void>();

	const nap = (ms: number) =>
		new Promise<void>((resolve) => {
			const done = () => {
				clearTimeout(timer);
				sleepers.delete(done);
				resolve();
			};
			const timer = setTimeout(done, ms);
			sleepers.add(done);
		});
	const wakeAll = () => {
		for (const done of [...sleepers]) done();
	};

	// Sending starts wake the lanes at once (time to first message), polls cover the rest.
	const listener = new pg.Client({ connectionString: settings.connectionString });
	listener.on('error', (e) => settings.log(`sender listener lost: ${e.message}`));
	listener.on('notification', wakeAll);
	const listening = listener
		.connect()
		.then(() => listener.query('listen message_send'))
		.catch((e: unknown) => settings.log(`sender cannot listen: ${(e as Error).message}`));

	async function campaignOf(id: string): Promise<CampaignMessage> {
		const known = campaigns.get(id);
		if (known) return known;
		const { rows } = await pool.query<{
			org_id: string;
			subject: string;
			preheader: string;
			from_name: string;
			reply_to: string | null;
			content: unknown;
			org_name: string;
			branding_reply_to: string | null;
			primary_color: string | null;
			font_family: string | null;
			logo_url: string | null;
			postal: string;
		}>(
			`select s.org_id, s.subject, s.preheader, s.from_name, s.reply_to::text, s.content,
			        o.name as org_name, b.reply_to_email::text as branding_reply_to, b.primary_color,
			        b.font_family, b.logo_url,
			        concat_ws(', ', nullif(btrim(br.name), ''), nullif(btrim(br.address), ''), nullif(btrim(br.city), ''),
			                  nullif(btrim(br.state), ''), nullif(btrim(br.zip), ''), nullif(btrim(br.country), '')) as postal
			   from public.message_sends s
			   join public.campaigns c on c.id = s.campaign_id
			   join public.organizations o on o.id = s.org_id
			   join public.brands br on br.id = c.brand_id
			   left join public.branding_settings b on b.org_id = s.org_id
			  where s.campaign_id = $1`,
			[id]
		);
		const r = rows[0];
		if (!r) throw new Error(`campaign ${id} has no message`);
		// The message is frozen once sending starts (the guard refuses edits), so it is cached.
		const message: CampaignMessage = {
			campaignId: id,
			orgId: r.org_id,
			subject: r.subject,
			preheader: r.preheader,
			fromName: r.from_name,
			replyTo: r.reply_to,
			content: await prepareContent(r.content, { subject: r.subject, preheader: r.preheader }),
			postalAddress: r.postal,
			sender: {
				name: r.org_name,
				replyTo: r.branding_reply_to,
				primaryColor: r.primary_color ?? '#4f46e5',
				fontFamily: r.font_family ?? 'Inter',
				logoUrl: r.logo_url
			},
			links: [],
			testSubjects: await testSubjectsOf(pool, id)
		};
		if (settings.compose.trackingSecret) message.links = await registerLinks(message);
		campaigns.set(id, message);
		return message;
	}

	// A campaign's kind is fixed once it has a message: cached.
	async function channelOf(id: string): Promise<'email' | MessagingChannel> {
		const known = channels.get(id);
		if (known) return known;
		const { rows } = await pool.query<{ kind: string }>(
			'select kind::text from public.campaigns where id = $1',
			[id]
		);
		const kind = rows[0]?.kind;
		const channel = kind === 'sms' || kind === 'whatsapp' ? kind : 'email';
		channels.set(id, channel);
		return channel;
	}

	async function textCampaignOf(id: string, channel: MessagingChannel): Promise<TextCampaign> {
		const known = texts.get(id);
		if (known) return known;
		const { rows } = await pool.query<{ org_id: string; org_name: string; text: string | null }>(
			`select s.org_id, o.name as org_name, s.content->>'text' as text
			   from public.message_sends s join public.organizations o on o.id = s.org_id
			  where s.campaign_id = $1`,
			[id]
		);
		const r = rows[0];
		if (!r) throw new Error(`campaign ${id} has no message`);
		// Frozen once sending starts (the guard refuses edits), so cached.
		const campaign: TextCampaign = {
			campaignId: id,
			orgId: r.org_id,
			orgName: r.org_name,
			channel,
			text: r.text ?? ''
		};
		texts.set(id, campaign);
		return campaign;
	}

	// The links clicks may be tracked on: those of the message rendered for a
	// blank contact, minus the app's own (the unsubscribe link is per person).
	// Registering the same list again (another worker, a restart) is a no-op;
	// the message is frozen while it sends, so the list cannot change.
	async function registerLinks(message: CampaignMessage): Promise<string[]> {
		const sample = compose(
			{ ...settings.compose, trackingSecret: null },
			message,
			{
				id: '00000000-0000-0000-0000-000000000000',
				contact_id: '00000000-0000-0000-0000-000000000000',
				address: 'sample@invalid',
				attempts: 0,
				variant: 0
			},
			{}
		);
		const own = settings.compose.appUrl.replace(/\/+$/, '') + '/';
		const html = typeof sample.html === 'string' ? sample.html : '';
		const links = linksIn(html).filter((url) => !url.startsWith(own));
		await pool.query('select private.message_register_links($1, $2::text[])', [
			message.campaignId,
			links
		]);
		return links;
	}

	// Emails accepted by the provider are marked in groups: a slot's mark
	// joins the one call that leaves next (private.message_mark_sent_many),
	// and the slot resumes when that call has committed. One call is in
	// flight at a time; what the slots accept meanwhile goes in the next one.
	// Nothing waits for a group to fill, so a mark takes at most two round
	// trips, and the events' triggers, the campaign's count and the commit
	// are paid once per group instead of once per message.
	let marking: Array<{ id: string; done: () => void; failed: (error: unknown) => void }> = [];
	let markerRunning = false;
	async function markGroups() {
		markerRunning = true;
		while (marking.length > 0) {
			const group = marking;
			marking = [];
			try {
				await pool.query('select private.message_mark_sent_many($1::uuid[])', [
					group.map((m) => m.id)
				]);
				for (const m of group) m.done();
			} catch (error) {
				for (const m of group) m.failed(error);
			}
		}
		markerRunning = false;
	}
	function markSent(id: string): Promise<void> {
		return new Promise<void>((done, failed) => {
			marking.push({ id, done, failed });
			if (!markerRunning) void markGroups();
		});
	}

	function backoffMs(attempts: number): number {
		const base = settings.retryBaseMs * 2 ** Math.min(attempts - 1, 10);
		return Math.round(base * (0.75 + Math.random() * 0.5));
	}

	// One message to the provider: accepted (with what its mark needs) or refused.
	type Attempt =
		{ accepted: true; mark: () => Promise<unknown> } | { accepted: false; refusal: Refusal };
	type Deliver = (recipient: Recipient, contact: Record<string, unknown>) => Promise<Attempt>;

	async function deliveryFor(campaignId: string): Promise<Deliver> {
		const channel = await channelOf(campaignId);
		if (channel === 'email') {
			const campaign = await campaignOf(campaignId);
			return async (recipient, contact) => {
				try {
					await transport.sendMail(compose(settings.compose, campaign, recipient, contact));
				} catch (error) {
					return { accepted: false, refusal: classify(error) };
				}
				return { accepted: true, mark: () => markSent(recipient.id) };
			};
		}
		const campaign = await textCampaignOf(campaignId, channel);
		return async (recipient, contact) => {
			const outcome = await sendText(settings.messaging ?? null, campaign, recipient, contact);
			if (!outcome.ok) return { accepted: false, refusal: outcome.refusal };
			return {
				accepted: true,
				mark: () =>
					pool.query('select private.message_mark_text_sent($1, $2, $3)', [
						recipient.id,
						outcome.providerId,
						outcome.segments
					])
			};
		};
	}

	async function sendBatch(claim: Required<Pick<Claim, 'campaign_id' | 'org_id' | 'recipients'>>) {
		// Past this moment another worker may claim these rows: none is sent after it.
		const deadline = Date.now() + settings.leaseSeconds * 1000 * 0.8;
		const deliver = await deliveryFor(claim.campaign_id);
		const channel = await channelOf(claim.campaign_id);
		const { rows: contacts } = await pool.query<{ id: string } & Record<string, unknown>>(
			`select id, email::text as email, first_name, last_name, company, phone, custom
			   from public.contacts where org_id = $1 and id = any($2::uuid[])`,
			[claim.org_id, claim.recipients.map((r) => r.contact_id)]
		);
		const byId = new Map(contacts.map((c) => [c.id, c]));
		// Each message holds one of the process's slots from before its send
		// until its mark (or refusal) has committed: at most one accepted,
		// unmarked message per slot at any moment.
		let next = 0;
		const workers = Math.min(settings.connections, claim.recipients.length);
		await Promise.all(
			Array.from({ length: workers }, async () => {
				while (next < claim.recipients.length) {
					await takeSlot();
					try {
						const recipient = claim.recipients[next++];
						if (!recipient || stopped || Date.now() > deadline) {
							next = claim.recipients.length;
							break;
						}
						const attempt = await deliver(recipient, byId.get(recipient.contact_id) ?? {});
						if (attempt.accepted) await attempt.mark();
						else await refused(recipient, attempt.refusal, channel);
					} finally {
						giveSlot();
					}
				}
			})
		);
	}

	async function refused(
		recipient: Recipient,
		refusal: Refusal,
		channel: 'email' | MessagingChannel
	) {
		if (refusal.temporary && recipient.attempts < settings.maxAttempts) {
			await pool.query('select private.message_retry_later($1, $2, $3)', [
				recipient.id,
				backoffMs(recipient.attempts),
				refusal.reason
			]);
		} else {
			const reason = refusal.temporary
				? `Gave up after ${recipient.attempts} temporary refusals: ${refusal.reason}`
				: refusal.reason;
			await pool.query(
				channel === 'email'
					? 'select private.message_mark_failed($1, $2)'
					: 'select private.message_mark_text_failed($1, $2)',
				[recipient.id, reason]
			);
		}
	}

	async function lane(n: number) {
		await listening;
		while (!stopped) {
			try {
				const { rows } = await pool.query<{ c: Claim }>(
					'select private.message_claim($1, $2, $3) as c',
					[`${workerId}/${n}`, settings.batch, Math.ceil(settings.leaseSeconds)]
				);
				const claim = rows[0]!.c;
				if (claim.recipients?.length && claim.campaign_id && claim.org_id) {
					await sendBatch({
						campaign_id: claim.campaign_id,
						org_id: claim.org_id,
						recipients: claim.recipients
					});
				} else if (claim.wait_ms) {
					await nap(Math.max(5, claim.wait_ms));
				} else {
					await nap(settings.pollMs);
				}
			} catch (error) {
				settings.log(`sending lane ${n}: ${(error as Error).message}`);
				await nap(settings.pollMs);
			}
		}
	}

	const lanes = Array.from({ length: settings.lanes }, (_, n) => lane(n));

	return {
		workerId,
		async stop() {
			stopped = true;
			wakeAll();
			await Promise.all(lanes);
			transport.close();
			await listener.end().catch(() => {});
			await pool.end();
		}
	};
}
