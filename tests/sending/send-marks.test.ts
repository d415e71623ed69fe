// What keeps the sender's cost per message flat as a campaign grows
// (issue 15, benchmark): accepted messages are marked in groups, one call and
// one commit per group, each still sent, counted and recorded once; and a
// claim reads the queue through its partial index whatever the statistics
// say, never by walking the rows already sent.
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
	addContacts,
	emailCampaign,
	progress,
	sendingWorld,
	setRate,
	type SendingWorld
} from './world.ts';

let w: SendingWorld;

beforeAll(async () => {
	w = await sendingWorld();
	await setRate(w, 100_000);
});
afterAll(async () => {
	await w?.close();
});

type Claimed = { recipients: Array<{ id: string; contact_id: string }> };

async function claim(worker: string, limit: number): Promise<Claimed> {
	const { rows } = await w.admin.query<{ c: Claimed }>(
		'select private.message_claim($1, $2, 60) as c',
		[worker, limit]
	);
	return rows[0]!.c;
}

async function markSent(ids: string[]): Promise<number> {
	const { rows } = await w.admin.query<{ n: number }>(
		'select private.message_mark_sent_many($1::uuid[]) as n',
		[ids]
	);
	return rows[0]!.n;
}

it('marks a group of accepted messages in one call: each sent once, counted, with its message.sent event; a row no longer claimed is left', async () => {
	await addContacts(w, 6, 0, 'group.test');
	const campaign = await emailCampaign(w, { name: 'Marked in groups', domain: 'group.test' });
	await w.admin.query(`update public.message_sends set status = 'sending' where campaign_id = $1`, [
		campaign
	]);
	const { recipients } = await claim('group-worker', 5);
	expect(recipients).toHaveLength(5);
	const ids = recipients.map((r) => r.id);
	// One of them went back to the queue meanwhile (a temporary refusal): not ours to mark.
	await w.admin.query('select private.message_retry_later($1, 0, $2)', [ids[4], '421 try later']);

	expect(await markSent(ids)).toBe(4);
	// A second mark of the same group (a retried call) changes nothing.
	expect(await markSent(ids)).toBe(0);

	const { rows: statuses } = await w.admin.query<{ id: string; status: string }>(
		'select id, status::text from public.message_recipients where campaign_id = $1',
		[campaign]
	);
	const statusOf = new Map(statuses.map((r) => [r.id, r.status]));
	expect(ids.slice(0, 4).map((id) => statusOf.get(id))).toEqual(['sent', 'sent', 'sent', 'sent']);
	expect(statusOf.get(ids[4]!)).toBe('queued');

	const { rows: events } = await w.admin.query<{
		subject_id: string;
		payload: Record<string, string>;
	}>(
		`select subject_id, payload from public.events
		  where type = 'message.sent' and payload->>'campaign_id' = $1::text order by id`,
		[campaign]
	);
	expect(events.map((e) => e.payload.recipient_id).sort()).toEqual(ids.slice(0, 4).sort());
	for (const e of events) {
		const r = recipients.find((x) => x.id === e.payload.recipient_id)!;
		expect(e.subject_id).toBe(r.contact_id);
		expect(e.payload).toEqual({
			campaign_id: campaign,
			recipient_id: r.id,
			contact_id: r.contact_id,
			channel: 'email'
		});
	}
	const p = await progress(w, campaign);
	expect(p).toMatchObject({ status: 'sending', recipients: 6, sent: 4, failed: 0, suppressed: 0 });

	// The rest goes out; the campaign finishes only when every row is sent.
	const rest = await claim('group-worker', 5);
	expect(rest.recipients).toHaveLength(2);
	expect(await markSent(rest.recipients.map((r) => r.id))).toBe(2);
	expect(await claim('group-worker', 5)).toEqual({});
	expect(await progress(w, campaign)).toMatchObject({ status: 'finished', recipients: 6, sent: 6 });
	// The report's rollup counted each group's sends once (sum over the batches not yet folded).
	const { rows: report } = await w.admin.query<{ sent: string; opens: string; rows: string }>(
		`select sum(sent) as sent, sum(opens + clicks + unique_opens + unique_clicks) as opens, count(*) as rows
		   from public.message_report_hours where campaign_id = $1`,
		[campaign]
	);
	expect(report[0]).toEqual({ sent: '6', opens: '0', rows: '2' });
});

it('claims through the queue index however stale the statistics: no sequential scan of the rows already sent', async () => {
	// The only campaign sending (whatever the test above left).
	await w.admin.query(
		`update public.message_sends set status = 'cancelled' where status = 'sending'`
	);
	await addContacts(w, 3000, 0, 'queue.test');
	const campaign = await emailCampaign(w, { name: 'Big queue', domain: 'queue.test' });
	await w.admin.query(`update public.message_sends set status = 'sending' where campaign_id = $1`, [
		campaign
	]);
	// Statistics taken while every row was queued, as autovacuum would leave them.
	await w.admin.query('analyze public.message_recipients');
	for (let sent = 0; sent < 2800; sent += 400) {
		const { recipients } = await claim('queue-worker', 400);
		expect(recipients).toHaveLength(400);
		// Sent (set directly: only the queue's shape matters here).
		await w.admin.query(
			`update public.message_recipients set status = 'sent', claimed_until = null where id = any($1::uuid[])`,
			[recipients.map((r) => r.id)]
		);
	}

	await w.admin.query('begin');
	try {
		const { recipients } = await claim('queue-worker', 150);
		expect(recipients).toHaveLength(150);
		const { rows } = await w.admin.query<{ seq_scan: string }>(
			`select seq_scan from pg_stat_xact_user_tables
			  where schemaname = 'public' and relname = 'message_recipients'`
		);
		expect(Number(rows[0]!.seq_scan)).toBe(0);
	} finally {
		await w.admin.query('rollback');
	}
});
