// A permanent refusal (SMTP 550, "mailbox unavailable"): the message is
// failed at once, never retried, counted as not delivered (the campaign still
// finishes: queued = sent + failed + suppressed), recorded as message.failed
// with the server's answer as the reason, and that answer is what the
// campaign's sending page shows.
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as sending from '../../src/lib/server/sending/index.ts';
import { startSender } from '../../src/worker/sending/sender.ts';
import { startSink, type Sink } from './sink.ts';
import {
	addContacts,
	emailCampaign,
	progress,
	sendingWorld,
	setRate,
	TEST_UNSUBSCRIBE_SECRET,
	until,
	type SendingWorld
} from './world.ts';

let w: SendingWorld;
let sink: Sink;

beforeAll(async () => {
	w = await sendingWorld();
	sink = await startSink();
});
afterAll(async () => {
	await sink?.stop();
	await w?.close();
});

it('fails a 550 for good at the first attempt, counts it and keeps the reason', async () => {
	await addContacts(w, 10, 0, 'refused.test');
	await setRate(w, 100_000);
	const campaign = await emailCampaign(w, { name: 'Refused', domain: 'refused.test' });
	sink.refuseAddress('p3@refused.test', '5.1.1 <p3@refused.test>: Recipient address rejected');
	await w.admin.query(`update public.message_sends set status = 'sending' where campaign_id = $1`, [
		campaign
	]);
	const s = startSender({
		connectionString: w.testDb.url,
		smtpUrl: sink.url,
		compose: {
			mailFrom: 'Growthdesk <campaigns@send.growthdesk.test>',
			appUrl: 'https://app.test',
			unsubscribeSecret: TEST_UNSUBSCRIBE_SECRET
		},
		batch: 5,
		lanes: 1,
		connections: 2,
		leaseSeconds: 30,
		retryBaseMs: 10,
		maxAttempts: 5,
		pollMs: 50,
		log: (line) => console.error(line)
	});
	try {
		await until('finished', async () => (await progress(w, campaign)).status === 'finished');
	} finally {
		await s.stop();
	}
	expect(await progress(w, campaign)).toMatchObject({ recipients: 10, sent: 9, failed: 1 });
	// Refused once: a permanent refusal is not tried again.
	expect(sink.refusedFor.get('p3@refused.test')).toBe(1);
	expect(sink.deliveries.filter((d) => d.to === 'p3@refused.test')).toEqual([]);
	const { rows } = await w.admin.query<{ status: string; attempts: number; reason: string }>(
		`select status::text, attempts, reason from public.message_recipients
		  where campaign_id = $1 and address = 'p3@refused.test'`,
		[campaign]
	);
	expect(rows.map((r) => [r.status, r.attempts])).toEqual([['failed', 1]]);
	expect(rows[0]!.reason).toMatch(/550.*Recipient address rejected/);
	const events = await w.admin.query<{ reason: string }>(
		`select payload->>'reason' as reason from public.events
		  where type = 'message.failed' and payload->>'campaign_id' = $1`,
		[campaign]
	);
	expect(events.rows).toEqual([{ reason: rows[0]!.reason }]);
	const rollup = await w.admin.query<{ failed: number; sent: number }>(
		`select sum(failed)::int as failed, sum(sent)::int as sent from public.message_report_hours
		  where campaign_id = $1`,
		[campaign]
	);
	expect(rollup.rows[0]).toEqual({ failed: 1, sent: 9 });
	// What the sending page lists under "Not delivered", as a member reads it.
	const shown = await w.as('viewer', (trx) => sending.failures(trx, w.world.orgA, campaign));
	expect(shown).toEqual([{ reason: rows[0]!.reason, count: 1 }]);
});
