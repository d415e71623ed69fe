// A/B tests of the subject line (message_subject_tests migration,
// src/worker/sending/subject-test.ts): when sending starts the sample is
// drawn deterministically and split evenly between the variants, the rest is
// held back; the sample goes out with each variant's subject; after the wait
// the winner is picked by the sample's opens (ties to the lower variant) and
// the rest of the audience gets the winner's subject. Nobody gets two
// variants, nobody gets two messages, and the report shows each variant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSender, type Sender } from '../../src/worker/sending/sender.ts';
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
import { sql } from 'kysely';
import * as sending from '../../src/lib/server/sending/index.ts';

let w: SendingWorld;
let sink: Sink;

beforeAll(async () => {
	w = await sendingWorld();
	sink = await startSink();
	await setRate(w, 100_000);
});
afterAll(async () => {
	await sink?.stop();
	await w?.close();
});

function sender(): Sender {
	return startSender({
		connectionString: w.testDb.url,
		smtpUrl: sink.url,
		compose: {
			mailFrom: 'Growthdesk <campaigns@send.growthdesk.test>',
			appUrl: 'https://app.test',
			unsubscribeSecret: TEST_UNSUBSCRIBE_SECRET
		},
		batch: 20,
		lanes: 1,
		connections: 2,
		leaseSeconds: 30,
		retryBaseMs: 10,
		maxAttempts: 5,
		pollMs: 30,
		log: (line) => console.error(line)
	});
}

async function withTest(domain: string, n: number, subjects: string[], percent: number) {
	await addContacts(w, n, 0, domain);
	const campaign = await emailCampaign(w, { name: domain, domain, subject: 'Variant A' });
	await w.admin.query(
		`insert into public.message_subject_tests (org_id, campaign_id, subjects, sample_percent, wait_minutes)
		 values ($1, $2, $3, $4, 60)`,
		[w.world.orgA, campaign, subjects, percent]
	);
	return campaign;
}

const start = (id: string) =>
	w.admin.query(`update public.message_sends set status = 'sending' where campaign_id = $1`, [id]);

async function assignment(campaign: string) {
	const { rows } = await w.admin.query<{
		contact_id: string;
		variant: number;
		held: boolean;
		status: string;
	}>(
		`select contact_id, variant, not_before = 'infinity' as held, status::text
		   from public.message_recipients where campaign_id = $1`,
		[campaign]
	);
	return rows;
}

describe('assigning the variants', () => {
	it('draws the sample by a fixed ranking, splits it evenly and holds the rest back', async () => {
		const campaign = await withTest('assign.test', 100, ['Variant B', 'Variant C'], 30);
		await start(campaign);
		const rows = await assignment(campaign);
		expect(rows).toHaveLength(100);
		const sample = rows.filter((r) => !r.held);
		expect(sample).toHaveLength(30);
		const perVariant = [0, 1, 2].map((v) => sample.filter((r) => r.variant === v).length);
		expect(perVariant).toEqual([10, 10, 10]);
		expect(rows.filter((r) => r.held).every((r) => r.variant === 0 && r.status === 'queued')).toBe(
			true
		);
		// The documented ranking: md5(campaign id || contact id), the first 30, variant = rank mod 3.
		const { rows: expected } = await w.admin.query<{ contact_id: string; variant: number }>(
			`select contact_id, ((n - 1) % 3)::int as variant from (
			   select contact_id, row_number() over (order by md5($1::text || contact_id::text), id) as n
			     from public.message_recipients where campaign_id = $1) x
			  where n <= 30`,
			[campaign]
		);
		const byContact = new Map(sample.map((r) => [r.contact_id, r.variant]));
		expect(expected.every((e) => byContact.get(e.contact_id) === e.variant)).toBe(true);
		const test = await w.admin.query<{ sample_size: number; due: boolean; jobs: number }>(
			`select sample_size, decide_at > now() + interval '59 minutes' as due,
			        (select count(*)::int from graphile_worker.jobs where key = 'message_test_decide:' || $1::text) as jobs
			   from public.message_subject_tests where campaign_id = $1::text::uuid`,
			[campaign]
		);
		expect(test.rows[0]).toEqual({ sample_size: 30, due: true, jobs: 1 });
		await expect(
			w.admin.query(
				`update public.message_subject_tests set subjects = '{Other}' where campaign_id = $1`,
				[campaign]
			)
		).rejects.toThrow(/started sending/);
	});

	it("refuses a subject equal to the message's or to another variant, and more than three", async () => {
		await addContacts(w, 1, 0, 'refuse.test');
		const campaign = await emailCampaign(w, { domain: 'refuse.test', subject: 'Same' });
		for (const subjects of [['Same'], ['B', 'B'], ['B', 'C', 'D', 'E'], ['  ']]) {
			await expect(
				w.admin.query(
					`insert into public.message_subject_tests (org_id, campaign_id, subjects) values ($1, $2, $3)`,
					[w.world.orgA, campaign, subjects]
				)
			).rejects.toThrow(/subject|check constraint/i);
		}
	});
});

describe('sending a test', () => {
	it('sends the sample, picks the winner by opens, then sends the rest the winner; one message each', async () => {
		const campaign = await withTest('ab.test', 60, ['Variant B', 'Variant C'], 30);
		await start(campaign);
		const s = sender();
		try {
			const mails = () => sink.deliveries.filter((d) => d.to.endsWith('@ab.test'));
			await until('sample sent', async () => (await progress(w, campaign)).sent === 18);
			// The rest waits for the winner: the campaign does not finish.
			const p = await progress(w, campaign);
			expect(p).toMatchObject({ status: 'sending', recipients: 60, sent: 18 });
			const sample = mails();
			expect(sample.map((m) => m.subject).sort()).toEqual([
				...Array<string>(6).fill('Variant A'),
				...Array<string>(6).fill('Variant B'),
				...Array<string>(6).fill('Variant C')
			]);
			// Variant C opened by 3 of its 6, B by 1, A by none.
			const { rows: sent } = await w.admin.query<{ id: string; variant: number }>(
				`select id, variant from public.message_recipients where campaign_id = $1 and status = 'sent'
				  order by id`,
				[campaign]
			);
			const openers = [
				...sent.filter((r) => r.variant === 2).slice(0, 3),
				...sent.filter((r) => r.variant === 1).slice(0, 1)
			];
			for (const r of openers) {
				await w.admin.query('select tracking.open($1)', [r.id]);
				await w.admin.query('select tracking.open($1)', [r.id]); // a second open counts once
			}
			const decided = await w.admin.query<{ winner: number }>(
				'select private.message_test_decide($1) as winner',
				[campaign]
			);
			expect(decided.rows[0]!.winner).toBe(2);
			await until('finished', async () => (await progress(w, campaign)).status === 'finished');
			expect(await progress(w, campaign)).toMatchObject({ recipients: 60, sent: 60, failed: 0 });
			const all = mails();
			expect(all).toHaveLength(60);
			expect(new Set(all.map((m) => m.to)).size).toBe(60);
			const rest = all.slice(18);
			expect(rest.every((m) => m.subject === 'Variant C')).toBe(true);
			const rows = await assignment(campaign);
			expect(rows.filter((r) => r.held)).toEqual([]);
			expect(rows.filter((r) => r.variant === 2)).toHaveLength(6 + 42);
			// What was decided, kept with the test, and the report's numbers per variant.
			const test = await w.admin.query<{ winner: number; results: unknown }>(
				`select winner, results from public.message_subject_tests where campaign_id = $1`,
				[campaign]
			);
			expect(test.rows[0]).toEqual({
				winner: 2,
				results: [
					{ variant: 0, sent: 6, opened: 0, clicked: 0 },
					{ variant: 1, sent: 6, opened: 1, clicked: 0 },
					{ variant: 2, sent: 6, opened: 3, clicked: 0 }
				]
			});
			const seen = await w.as('viewer', (trx) =>
				sql<{ r: unknown }>`select private.message_test_report(${campaign}::uuid) as r`.execute(trx)
			);
			expect(seen.rows[0]!.r).toEqual([
				{ variant: 0, sent: 6, opened: 0, clicked: 0 },
				{ variant: 1, sent: 6, opened: 1, clicked: 0 },
				{ variant: 2, sent: 48, opened: 3, clicked: 0 }
			]);
			const outsider = await w.as('outsider', (trx) =>
				sql<{ r: unknown }>`select private.message_test_report(${campaign}::uuid) as r`.execute(trx)
			);
			expect(outsider.rows[0]!.r).toEqual([]);
			// Deciding again changes nothing.
			const again = await w.admin.query<{ winner: number }>(
				'select private.message_test_decide($1) as winner',
				[campaign]
			);
			expect(again.rows[0]!.winner).toBe(2);
		} finally {
			await s.stop();
		}
	});

	it('waits for a sample still being sent, and gives a tie to the lower variant', async () => {
		const campaign = await withTest('tie.test', 40, ['Variant B', 'Variant C', 'Variant D'], 20);
		await start(campaign);
		// Nothing sent yet: not decided, the job comes back later.
		const early = await w.admin.query<{ winner: number | null }>(
			'select private.message_test_decide($1) as winner',
			[campaign]
		);
		expect(early.rows[0]!.winner).toBeNull();
		// The sample (8: two per variant) sent, as the worker leaves it; B and D opened once each.
		await w.admin.query(
			`update public.message_recipients set status = 'sent', sent_at = now()
			  where campaign_id = $1 and not_before is distinct from 'infinity'`,
			[campaign]
		);
		const { rows } = await w.admin.query<{ id: string; variant: number }>(
			`select distinct on (variant) id, variant from public.message_recipients
			  where campaign_id = $1 and status = 'sent' and variant in (1, 3) order by variant, id`,
			[campaign]
		);
		for (const r of rows) await w.admin.query('select tracking.open($1)', [r.id]);
		const decided = await w.admin.query<{ winner: number }>(
			'select private.message_test_decide($1) as winner',
			[campaign]
		);
		expect(decided.rows[0]!.winner).toBe(1);
		// No opens at all: the message's own subject (variant 0) stays.
		const quiet = await withTest('quiet.test', 10, ['Variant B'], 20);
		await start(quiet);
		const none = await w.admin.query<{ winner: number }>(
			'select private.message_test_decide($1, true) as winner',
			[quiet]
		);
		expect(none.rows[0]!.winner).toBe(0);
	});
});

describe('setting up a test on the sending page', () => {
	it('saves a test, refuses an unknown merge field, a viewer, and changes once sending started', async () => {
		await addContacts(w, 4, 0, 'setup.test');
		const campaign = await emailCampaign(w, { domain: 'setup.test', subject: 'Variant A' });
		const input = {
			subjects: ['Hi {{contact.first_name | there}}'],
			samplePercent: 20,
			waitMinutes: 60,
			metric: 'clicks' as const
		};
		await w.as('member', (trx) => sending.subjectTest.save(trx, w.world.orgA, campaign, input));
		expect(
			await w.as('viewer', (trx) => sending.subjectTest.get(trx, w.world.orgA, campaign))
		).toMatchObject({
			subjects: input.subjects,
			samplePercent: 20,
			metric: 'clicks',
			winner: null
		});
		const unknown = await w
			.as('member', (trx) =>
				sending.subjectTest.save(trx, w.world.orgA, campaign, {
					...input,
					subjects: ['Hi {{custom.tier}}']
				})
			)
			.catch((e: unknown) => e);
		expect(unknown).toBeInstanceOf(sending.subjectTest.SubjectTestInvalidError);
		const viewer = await w
			.as('viewer', (trx) => sending.subjectTest.remove(trx, w.world.orgA, campaign))
			.then(() => w.as('viewer', (trx) => sending.subjectTest.get(trx, w.world.orgA, campaign)));
		expect(viewer).not.toBeNull(); // RLS: the viewer's delete touched nothing
		expect(
			sending.subjectTest.subjectTestSchema.safeParse({
				subjects: ['', ' '],
				samplePercent: '80',
				waitMinutes: '7',
				metric: 'opens'
			}).success
		).toBe(false);
		await start(campaign);
		await expect(
			w.as('member', (trx) => sending.subjectTest.remove(trx, w.world.orgA, campaign))
		).rejects.toThrow(/started sending/);
	});
});
