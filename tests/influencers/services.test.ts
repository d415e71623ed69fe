// The CRM's services against a real database as a member would run them:
// adding from the marketplace (name and handles copied, never twice), bulk
// actions (all or nothing), the board's columns and the table's pages, and an
// outreach email logged and stamped (a mailer that fails leaves it "failed").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as influencers from '../../src/lib/server/influencers/index.ts';
import type { Mailer, Email } from '../../src/lib/server/mail/mailer.ts';
import { influencerWorld, seedInfluencer, statusOf, type InfluencerWorld } from './world.ts';

let w: InfluencerWorld;
beforeAll(async () => {
	w = await influencerWorld();
});
afterAll(() => w.close());

async function marketplaceInfluencer(name: string, handle: string): Promise<string> {
	const { rows } = await w.admin.query<{ id: string }>(
		`insert into public.marketplace_influencers (key, display_name) values ($1, $2) returning id`,
		[`test:${handle}`, name]
	);
	const id = rows[0]!.id;
	await w.admin.query(
		`insert into public.marketplace_profiles (influencer_id, platform, external_id, handle, display_name, profile_url)
		 values ($1, 'instagram', $2, $3, $4, $5), ($1, 'tiktok', $2, $3, $4, null)`,
		[id, `ext-${handle}`, handle, name, `https://instagram.com/${handle}`]
	);
	return id;
}

describe('add from the marketplace', () => {
	it('copies the name and every handle, links the profiles, and never adds twice', async () => {
		const mid = await marketplaceInfluencer('Lena Park', 'lena.park');
		const first = await w.as('member', (trx) =>
			influencers.addFromMarketplace(trx, w.world.orgA, mid)
		);
		expect(first.created).toBe(true);
		const again = await w.as('member', (trx) =>
			influencers.addFromMarketplace(trx, w.world.orgA, mid)
		);
		expect(again).toEqual({ id: first.id, created: false });
		const record = await w.as('viewer', (trx) => influencers.get(trx, w.world.orgA, first.id));
		expect(record.name).toBe('Lena Park');
		expect(record.marketplaceInfluencerId).toBe(mid);
		expect(record.handles.map((h) => [h.platform, h.handle, !!h.marketplaceProfileId])).toEqual([
			['instagram', 'lena.park', true],
			['tiktok', 'lena.park', true]
		]);
		const { rows } = await w.admin.query<{ payload: unknown }>(
			`select payload from public.events where subject_id = $1 and type = 'influencer.created'`,
			[first.id]
		);
		expect(rows[0]!.payload).toEqual({ source: 'marketplace', status: 'cold' });
	});

	it('refuses when a handle is already on a record entered by hand, writing nothing', async () => {
		const manual = await seedInfluencer(w, { name: 'Hand Entered' });
		await w.admin.query(
			`insert into public.influencer_handles (org_id, influencer_id, platform, handle) values ($1, $2, 'instagram', 'dup.handle')`,
			[w.world.orgA, manual]
		);
		const mid = await marketplaceInfluencer('Dup Handle', 'dup.handle');
		await expect(
			w.as('member', (trx) => influencers.addFromMarketplace(trx, w.world.orgA, mid))
		).rejects.toMatchObject({ code: '23505', hint: 'handle_taken' });
		const { rows } = await w.admin.query<{ n: number }>(
			`select count(*)::int as n from public.influencers where marketplace_influencer_id = $1`,
			[mid]
		);
		expect(rows[0]!.n).toBe(0);
	});

	it('a viewer cannot add', async () => {
		const mid = await marketplaceInfluencer('Viewer Try', 'viewer.try');
		await expect(
			w.as('viewer', (trx) => influencers.addFromMarketplace(trx, w.world.orgA, mid))
		).rejects.toMatchObject({ code: '42501' });
	});
});

describe('bulk actions', () => {
	it('move, owner and tag apply to every ticked record; an illegal move refuses all of them', async () => {
		const a = await seedInfluencer(w, { name: 'Bulk A' });
		const b = await seedInfluencer(w, { name: 'Bulk B' });
		const ids = [a, b];
		const run = (action: influencers.BulkAction) =>
			w.as('member', (trx) => influencers.bulk.apply(trx, w.world.orgA, ids, action));
		expect(await run({ action: 'status', status: 'active' })).toBe(2);
		expect(await run({ action: 'owner', ownerId: w.world.users.member.id })).toBe(2);
		expect(await run({ action: 'tag', tag: 'Summer' })).toBe(2);
		expect(await run({ action: 'tag', tag: 'summer' })).toBe(0);
		await w.admin.query(`update public.influencers set status = 'cold' where id = $1`, [b]);
		await expect(run({ action: 'status', status: 'final' })).rejects.toMatchObject({
			hint: 'influencer_transition_refused'
		});
		expect([await statusOf(w, a), await statusOf(w, b)]).toEqual(['active', 'cold']);
		const { rows } = await w.admin.query(
			`select tags, owner_id from public.influencers where id = any($1) order by name`,
			[ids]
		);
		expect(rows).toEqual([
			{ tags: ['Summer'], owner_id: w.world.users.member.id },
			{ tags: ['Summer'], owner_id: w.world.users.member.id }
		]);
		expect(await run({ action: 'delete', confirm: 'yes' })).toBe(2);
	});

	it('another organization’s records are not touched', async () => {
		const theirs = await seedInfluencer(w, { name: 'Not mine', org: w.world.orgB });
		const changed = await w.as('member', (trx) =>
			influencers.bulk.apply(trx, w.world.orgA, [theirs], { action: 'delete', confirm: 'yes' })
		);
		expect(changed).toBe(0);
		expect(await statusOf(w, theirs)).toBe('cold');
	});
});

describe('board and table', () => {
	it('reads columns with counts, and the table in keyset pages', async () => {
		for (let i = 0; i < 5; i++) await seedInfluencer(w, { name: `Paged ${i}`, org: w.world.orgB });
		const columns = await w.as('outsider', (trx) => influencers.board(trx, w.world.orgB));
		expect(columns.map((c) => c.status)).toEqual(['cold', 'active', 'final']);
		expect(columns[0]!.count).toBeGreaterThanOrEqual(5);
		const seen: string[] = [];
		let after: string | undefined;
		do {
			const page = await w.as('outsider', (trx) =>
				influencers.list(
					trx,
					w.world.orgB,
					influencers.listFilterSchema.parse({ sort: 'name', q: 'Paged', after }),
					2
				)
			);
			seen.push(...page.rows.map((r) => r.name));
			after = page.next ?? undefined;
		} while (after);
		expect(seen).toEqual(['Paged 0', 'Paged 1', 'Paged 2', 'Paged 3', 'Paged 4']);
		await expect(
			w.as('outsider', (trx) =>
				influencers.list(
					trx,
					w.world.orgB,
					influencers.listFilterSchema.parse({ after: 'garbage' })
				)
			)
		).rejects.toBeInstanceOf(influencers.InfluencerCursorError);
	});
});

describe('outreach', () => {
	async function template(): Promise<string> {
		const { rows } = await w.admin.query<{ id: string }>(
			`select id from public.message_templates where org_id is null and channel = 'email' order by name limit 1`
		);
		return rows[0]!.id;
	}
	const run = <T>(fn: Parameters<typeof w.as<T>>[1]) => w.as<T>('member', fn);

	it('renders with the influencer as merge values, sends, logs and stamps last contacted', async () => {
		const id = await seedInfluencer(w, { name: 'Ava Stone', email: 'ava@example.com' });
		const sent: Email[] = [];
		const mailer: Mailer = { send: (e) => Promise.resolve(void sent.push(e)) };
		await influencers.outreach.send(run, mailer, {
			orgId: w.world.orgA,
			orgName: 'Acme',
			influencerId: id,
			templateId: await template(),
			subject: 'Hi {{contact.first_name}}, a collaboration?',
			sender: { email: 'mia@example.com', name: 'Mia' }
		});
		expect(sent).toHaveLength(1);
		expect(sent[0]).toMatchObject({
			to: 'ava@example.com',
			subject: 'Hi Ava, a collaboration?',
			replyTo: 'mia@example.com'
		});
		const history = await w.as('viewer', (trx) =>
			influencers.outreach.history(trx, w.world.orgA, id)
		);
		expect(history.map((h) => [h.status, h.subject, h.toEmail])).toEqual([
			['sent', 'Hi Ava, a collaboration?', 'ava@example.com']
		]);
		const record = await w.as('viewer', (trx) => influencers.get(trx, w.world.orgA, id));
		expect(record.lastContactedAt).toBe(history[0]!.sentAt);
	});

	it('a mail failure is logged as not sent; no email address is refused before anything is written', async () => {
		const id = await seedInfluencer(w, { name: 'Bo Failing', email: 'bo@example.com' });
		const mailer: Mailer = { send: () => Promise.reject(new Error('SMTP down')) };
		const req = {
			orgId: w.world.orgA,
			orgName: 'Acme',
			influencerId: id,
			templateId: await template(),
			subject: 'Hello',
			sender: { email: 'mia@example.com', name: null }
		};
		await expect(influencers.outreach.send(run, mailer, req)).rejects.toThrow('SMTP down');
		const history = await w.as('viewer', (trx) =>
			influencers.outreach.history(trx, w.world.orgA, id)
		);
		expect(history.map((h) => [h.status, h.error])).toEqual([['failed', 'SMTP down']]);
		const noEmail = await seedInfluencer(w, { name: 'No Email' });
		await expect(
			influencers.outreach.send(run, mailer, { ...req, influencerId: noEmail })
		).rejects.toBeInstanceOf(influencers.NoEmailError);
		const none = await w.as('viewer', (trx) =>
			influencers.outreach.history(trx, w.world.orgA, noEmail)
		);
		expect(none).toEqual([]);
	});
});
