// The contact timeline shows the emails automations sent the contact ("Email
// sent: <subject>", by which automation) among its events, and an unsubscribe
// through the email's link as such; paging crosses both sources with no gap or
// repeat, an erased contact's emails lose their subject, and other
// organizations see none of it.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventDetail, eventLabel } from '../../src/lib/components/contacts/display.ts';
import * as contacts from '../../src/lib/server/contacts/index.ts';
import { withRls } from '../../src/lib/server/db/index.ts';
import type { Definition } from '../../src/lib/automations/definition.ts';
import {
	createContact,
	engineWorld,
	publish,
	runDispatchJobs,
	type EngineWorld
} from '../automations/helpers.ts';

let w: EngineWorld;
let automationId: string;
let rosa: string;

const welcome: Definition = {
	trigger: { type: 'event', event: 'contact.created' },
	reentry: { mode: 'once' },
	start: 'mail',
	steps: [
		{
			id: 'mail',
			name: 'Welcome',
			type: 'send_email',
			email: { kind: 'inline', subject: 'Welcome, {{contact.first_name}}', text: 'Hello' },
			next: null
		}
	]
};

const timelineAs = (
	persona: 'viewer' | 'outsider',
	options?: { before?: string; limit?: number }
) =>
	withRls(w.world.db, w.world.claims(persona), (trx) =>
		contacts.timeline(trx, w.world.orgA, rosa, options)
	);

beforeAll(async () => {
	w = await engineWorld();
	automationId = await publish(w, welcome);
	await w.pool.query(`update public.automations set name = 'Welcome series' where id = $1`, [
		automationId
	]);
	rosa = await createContact(w, { email: 'rosa@example.test', first_name: 'Rosa' });
	// The engine stamps step runs with its clock: the email goes out just after the contact came.
	const { rows } = await w.pool.query<{ at: Date }>(
		`select occurred_at as at from public.events where subject_id = $1 and type = 'contact.created'`,
		[rosa]
	);
	w.clock.set(new Date(rows[0]!.at.getTime() + 1));
	await runDispatchJobs(w);
	expect(w.mailer.sent.map((m) => m.subject)).toEqual(['Welcome, Rosa']);
});
afterAll(async () => {
	await w?.close();
});

describe('the contact timeline', () => {
	it('shows the email an automation sent, with its subject and the automation', async () => {
		const { items } = await timelineAs('viewer');
		expect(items.map((e) => e.type)).toEqual(['email.sent', 'contact.created']);
		const [sent] = items;
		expect(sent).toMatchObject({
			payload: { subject: 'Welcome, Rosa' },
			automation: { id: automationId, name: 'Welcome series' },
			actorId: null
		});
		expect(eventLabel(sent!.type)).toBe('Email sent');
		expect(eventDetail(sent!.type, sent!.payload)).toBe('Welcome, Rosa');
		expect(items[1]!.automation).toBeNull();
	});

	it('shows an unsubscribe through the link, and no email for a send the consent stopped', async () => {
		await w.pool.query('select unsubscribe.withdraw_email($1, $2)', [w.world.orgA, rosa]);
		// A second automation on the contact's tag: its send is skipped (unsubscribed).
		const second = await publish(w, {
			...welcome,
			trigger: { type: 'event', event: 'tag.added' },
			steps: [{ ...welcome.steps[0]!, name: 'Offer' }]
		});
		const { rows } = await w.pool.query<{ id: string }>(
			`insert into public.tags (org_id, name) values ($1, 'VIP') returning id`,
			[w.world.orgA]
		);
		await w.pool.query(
			'insert into public.contact_tags (org_id, contact_id, tag_id) values ($1, $2, $3)',
			[w.world.orgA, rosa, rows[0]!.id]
		);
		w.clock.set(new Date(Date.now() + 1000));
		await runDispatchJobs(w);
		const { rows: skipped } = await w.pool.query<{ status: string }>(
			`select s.status::text from public.automation_step_runs s
			   join public.automation_runs r on r.id = s.run_id where r.automation_id = $1`,
			[second]
		);
		expect(skipped).toEqual([{ status: 'skipped' }]);

		const { items } = await timelineAs('viewer');
		expect(items.map((e) => e.type)).toEqual([
			'tag.added',
			'contact.updated',
			'consent.changed',
			'email.sent',
			'contact.created'
		]);
		const consent = items.find((e) => e.type === 'consent.changed')!;
		expect(eventDetail(consent.type, consent.payload)).toBe(
			'email: withdrawn, with the unsubscribe link in an email'
		);
	});

	it('pages across events and emails without a gap or a repeat', async () => {
		const all = (await timelineAs('viewer')).items.map((e) => e.id);
		// Same time for an email and an event: the tie is broken by source, then id.
		await w.pool.query(
			`update public.automation_step_runs s set finished_at = e.occurred_at
			   from public.events e
			  where s.step_type = 'send_email' and s.status = 'succeeded'
			    and e.subject_id = $1 and e.type = 'contact.created'`,
			[rosa]
		);
		const tied = (await timelineAs('viewer')).items.map((e) => e.id);
		expect(new Set(tied)).toEqual(new Set(all));
		for (const limit of [1, 2, 3]) {
			const seen: string[] = [];
			let before: string | undefined;
			do {
				const page = await timelineAs('viewer', { limit, before });
				seen.push(...page.items.map((e) => e.id));
				before = page.nextCursor ?? undefined;
			} while (before);
			expect(seen, `limit ${limit}`).toEqual(tied);
		}
	});

	it('shows nothing to another organization', async () => {
		expect((await timelineAs('outsider')).items).toEqual([]);
	});

	it("keeps an erased contact's emails without their subject", async () => {
		await withRls(w.world.db, w.world.claims('admin'), (trx) =>
			sql`select public.erase_contact(${rosa}::uuid)`.execute(trx)
		);
		const { items } = await timelineAs('viewer');
		const sent = items.filter((e) => e.type === 'email.sent');
		expect(sent).toHaveLength(1);
		expect(sent[0]!.payload).toEqual({});
		expect(JSON.stringify(items)).not.toMatch(/Rosa/);
	});
});
