// Collaborations in the database: the status machine (pending → accepted /
// rejected → completed) for every writer, who moved it and when; a
// collaboration for another organization's campaign or influencer refused by
// the database itself; deliverables from the campaign's own brief, fixed once
// answered; content only for an accepted collaboration; product seeding
// forward only with tracking once shipped; the events; and the tracking
// link's redirect function (unknown codes, stored destination only).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollabsWorld, refusal, type CollabsWorld } from './world.ts';

let w: CollabsWorld;
let campaignId: string;

beforeAll(async () => {
	w = await createCollabsWorld();
	campaignId = await w.campaign(w.orgA);
});
afterAll(async () => {
	await w.cleanup();
});

const setStatus = (collabId: string, status: string) =>
	sql`update public.collaborations set status = ${status}::public.collaboration_status where id = ${collabId}`;

describe('the status machine', () => {
	it('moves pending → accepted → completed and records who and when', async () => {
		const collab = await w.collaboration(w.orgA, campaignId, await w.influencer(w.orgA));
		await w.as('member', (trx) => setStatus(collab, 'accepted').execute(trx));
		const accepted = (
			await sql<{
				status: string;
				status_changed_by: string;
				accepted_at: Date | null;
			}>`select status, status_changed_by, accepted_at from public.collaborations where id = ${collab}`.execute(
				w.db
			)
		).rows[0]!;
		expect(accepted.status).toBe('accepted');
		expect(accepted.status_changed_by).toBe(w.users.member.id);
		expect(accepted.accepted_at).toBeInstanceOf(Date);
		await w.as('admin', (trx) => setStatus(collab, 'completed').execute(trx));
		const events = await w.events('collaboration.status_changed', collab);
		expect(events.map((e) => e.payload)).toEqual([
			expect.objectContaining({ from: 'pending', to: 'accepted', campaign_id: campaignId }),
			expect.objectContaining({ from: 'accepted', to: 'completed' })
		]);
	});

	it('refuses every move the machine does not allow, for the service role too', async () => {
		const collab = await w.collaboration(w.orgA, campaignId, await w.influencer(w.orgA));
		// pending → completed skips the answer.
		expect(
			await refusal(w.service((trx) => setStatus(collab, 'completed').execute(trx)))
		).toMatchObject({
			status: 422,
			field: 'status',
			code: 'collaboration_transition_refused'
		});
		await w.service((trx) => setStatus(collab, 'rejected').execute(trx));
		for (const to of ['pending', 'accepted', 'completed'])
			expect((await refusal(w.service((trx) => setStatus(collab, to).execute(trx)))).code).toBe(
				'collaboration_transition_refused'
			);
		// A collaboration starts pending, whoever inserts it.
		const other = await w.influencer(w.orgA);
		expect(
			(
				await refusal(
					sql`insert into public.collaborations (org_id, campaign_id, influencer_id, rate_amount, rate_currency, status)
					    values (${w.orgA}, ${campaignId}, ${other}, 10, 'EUR', 'accepted')`.execute(w.db)
				)
			).code
		).toBe('collaboration_transition_refused');
	});

	it('fixes the rate once the influencer answered, and checks its decimals', async () => {
		const collab = await w.collaboration(w.orgA, campaignId, await w.influencer(w.orgA));
		expect(
			await refusal(
				sql`update public.collaborations set rate_amount = 10.5, rate_currency = 'JPY' where id = ${collab}`.execute(
					w.db
				)
			)
		).toMatchObject({ field: 'rate_amount', code: 'rate_decimals' });
		await sql`update public.collaborations set rate_amount = 400 where id = ${collab}`.execute(
			w.db
		);
		await setStatus(collab, 'accepted').execute(w.db);
		expect(
			await refusal(
				sql`update public.collaborations set rate_amount = 900 where id = ${collab}`.execute(w.db)
			)
		).toMatchObject({ field: 'rate_amount', code: 'collaboration_rate_locked' });
	});

	it('keeps an influencer on a campaign once', async () => {
		const influencer = await w.influencer(w.orgA);
		await w.collaboration(w.orgA, campaignId, influencer);
		expect(await refusal(w.collaboration(w.orgA, campaignId, influencer))).toMatchObject({
			status: 409
		});
	});

	it('deletes only pending or rejected collaborations', async () => {
		const collab = await w.collaboration(w.orgA, campaignId, await w.influencer(w.orgA));
		await setStatus(collab, 'accepted').execute(w.db);
		expect(
			(
				await refusal(
					w.as('owner', (trx) =>
						sql`delete from public.collaborations where id = ${collab}`.execute(trx)
					)
				)
			).code
		).toBe('collaboration_not_deletable');
	});
});

describe('organizations', () => {
	it("refuses a collaboration on another organization's campaign, for every writer", async () => {
		const theirs = await w.campaign(w.orgB);
		const ours = await w.influencer(w.orgA);
		// As superuser (no RLS at all): the database's own rule.
		expect(await refusal(w.collaboration(w.orgA, theirs, ours))).toMatchObject({
			status: 422,
			field: 'campaign_id',
			code: 'campaign_unknown'
		});
		expect((await refusal(w.as('owner', () => w.collaboration(w.orgA, theirs, ours)))).field).toBe(
			'campaign_id'
		);
	});

	it("refuses another organization's influencer", async () => {
		const theirs = await w.influencer(w.orgB);
		expect(await refusal(w.collaboration(w.orgA, campaignId, theirs))).toMatchObject({
			field: 'influencer_id',
			code: 'influencer_unknown'
		});
	});

	it('refuses campaigns that are not influencer campaigns', async () => {
		const email = await w.campaign(w.orgA, 'email');
		expect((await refusal(w.collaboration(w.orgA, email, await w.influencer(w.orgA)))).code).toBe(
			'campaign_not_influencer'
		);
	});

	it("does not show one organization's collaborations to another", async () => {
		const collab = await w.collaboration(w.orgA, campaignId, await w.influencer(w.orgA));
		const seen = await w.as(
			'outsider',
			async (trx) =>
				(await sql`select id from public.collaborations where id = ${collab}`.execute(trx)).rows
		);
		expect(seen).toEqual([]);
		const changed = await w.as('outsider', (trx) => setStatus(collab, 'rejected').execute(trx));
		expect(Number(changed.numAffectedRows ?? 0)).toBe(0);
	});
});

describe('deliverables and content', () => {
	it("takes deliverables only from the campaign's own brief, fixed once answered", async () => {
		const collab = await w.collaboration(w.orgA, campaignId, await w.influencer(w.orgA));
		const ours = await w.requirement(w.orgA, campaignId);
		const otherCampaign = await w.campaign(w.orgA);
		const elsewhere = await w.requirement(w.orgA, otherCampaign);
		const add = (req: string, camp = campaignId) =>
			sql`insert into public.collaboration_deliverables (org_id, campaign_id, collaboration_id, requirement_id, count)
			    values (${w.orgA}, ${camp}, ${collab}, ${req}, 2)`.execute(w.db);
		await add(ours);
		expect((await refusal(add(elsewhere))).status).toBe(409);
		expect((await refusal(add(elsewhere, otherCampaign))).status).toBe(409);
		await setStatus(collab, 'accepted').execute(w.db);
		expect(
			(
				await refusal(
					sql`update public.collaboration_deliverables set count = 5 where collaboration_id = ${collab}`.execute(
						w.db
					)
				)
			).code
		).toBe('collaboration_deliverables_locked');
	});

	it("links content to an accepted collaboration's deliverable only", async () => {
		const collab = await w.collaboration(w.orgA, campaignId, await w.influencer(w.orgA));
		const req = await w.requirement(w.orgA, campaignId);
		const notDelivered = await w.requirement(w.orgA, campaignId);
		await sql`insert into public.collaboration_deliverables (org_id, campaign_id, collaboration_id, requirement_id)
		          values (${w.orgA}, ${campaignId}, ${collab}, ${req})`.execute(w.db);
		const submit = (requirement: string) =>
			sql`insert into public.creative_assets (org_id, campaign_id, requirement_id, title, collaboration_id)
			    values (${w.orgA}, ${campaignId}, ${requirement}, 'Unboxing reel', ${collab})`.execute(w.db);
		expect((await refusal(submit(req))).code).toBe('collaboration_not_accepted');
		await setStatus(collab, 'accepted').execute(w.db);
		await w.as('member', (trx) =>
			sql`insert into public.creative_assets (org_id, campaign_id, requirement_id, title, collaboration_id)
			    values (${w.orgA}, ${campaignId}, ${req}, 'Unboxing reel', ${collab})`.execute(trx)
		);
		expect((await refusal(submit(notDelivered))).status).toBe(409);
	});
});

describe('product seeding', () => {
	it('moves chosen → ordered → shipped → delivered, dated, with tracking, and records the delivery', async () => {
		const collab = await w.collaboration(w.orgA, campaignId, await w.influencer(w.orgA));
		const product = await w.product(w.orgA, `SEED-${Math.random().toString(36).slice(2, 7)}`);
		const line = (
			await w.as('member', (trx) =>
				sql<{
					id: string;
				}>`insert into public.collaboration_products (org_id, collaboration_id, product_id, quantity)
				  values (${w.orgA}, ${collab}, ${product}, 2) returning id`.execute(trx)
			)
		).rows[0]!.id;
		const move = (set: ReturnType<typeof sql>) =>
			w.as('member', (trx) =>
				sql`update public.collaboration_products set ${set} where id = ${line}`.execute(trx)
			);
		// Not before the influencer accepted.
		expect((await refusal(move(sql`status = 'ordered'`))).code).toBe('collaboration_not_accepted');
		await setStatus(collab, 'accepted').execute(w.db);
		await move(sql`status = 'ordered'`);
		expect((await refusal(move(sql`status = 'shipped'`))).code).toBe('seeding_tracking_missing');
		await move(sql`status = 'shipped', tracking_number = '1Z999AA10123456784', carrier = 'UPS'`);
		expect((await refusal(move(sql`status = 'ordered'`))).code).toBe('seeding_transition_refused');
		await move(sql`status = 'delivered'`);
		expect((await refusal(move(sql`tracking_number = 'X'`))).code).toBe('seeding_delivered');
		const row = (
			await sql<{
				ordered_at: Date;
				shipped_at: Date;
				delivered_at: Date;
			}>`select ordered_at, shipped_at, delivered_at from public.collaboration_products where id = ${line}`.execute(
				w.db
			)
		).rows[0]!;
		expect(row.ordered_at <= row.shipped_at && row.shipped_at <= row.delivered_at).toBe(true);
		expect(
			(await w.events('collaboration.product_delivered', collab)).map((e) => e.payload)
		).toEqual([
			expect.objectContaining({ product_id: product, seeding_id: line, campaign_id: campaignId })
		]);
	});
});

describe('events', () => {
	it('records collaboration.created with the campaign and influencer', async () => {
		const influencer = await w.influencer(w.orgA);
		const collab = await w.collaboration(w.orgA, campaignId, influencer);
		expect((await w.events('collaboration.created', collab)).map((e) => e.payload)).toEqual([
			{ campaign_id: campaignId, influencer_id: influencer }
		]);
	});
});

describe('the tracking link', () => {
	const click = (code: string) =>
		w.as(
			'anon',
			async (trx) =>
				(
					await sql<{
						url: string | null;
					}>`select tracking.collaboration_click(${code}, gen_random_uuid()) as url`.execute(trx)
				).rows[0]!.url
		);

	it('answers only the stored https destination and counts the click', async () => {
		const collab = await w.collaboration(w.orgA, campaignId, await w.influencer(w.orgA));
		const { link_code: code } = (
			await sql<{
				link_code: string;
			}>`update public.collaborations set link_url = 'https://shop.example/summer?ref=ana'
			  where id = ${collab} returning link_code`.execute(w.db)
		).rows[0]!;
		expect(code).toMatch(/^[A-Za-z0-9_-]{12}$/);
		expect(await click(code)).toBe('https://shop.example/summer?ref=ana');
		const clicks = await sql<{
			n: string;
		}>`select count(*) as n from public.collaboration_clicks where collaboration_id = ${collab}`.execute(
			w.db
		);
		expect(clicks.rows[0]!.n).toBe('1');
	});

	it('refuses unknown and malformed codes and records nothing', async () => {
		const before = await sql<{
			n: string;
		}>`select count(*) as n from public.collaboration_clicks`.execute(w.db);
		for (const code of ['unknownCode1', "x' or 1=1 --", '', 'https://evil.example/'])
			expect(await click(code)).toBeNull();
		const after = await sql<{
			n: string;
		}>`select count(*) as n from public.collaboration_clicks`.execute(w.db);
		expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
	});

	it('stores only https destinations, and a promo code once per organization in any case', async () => {
		const a = await w.collaboration(w.orgA, campaignId, await w.influencer(w.orgA));
		const b = await w.collaboration(w.orgA, campaignId, await w.influencer(w.orgA));
		for (const url of ['http://shop.example/', 'javascript:alert(1)', 'https://a b.example/'])
			expect(
				(
					await refusal(
						sql`update public.collaborations set link_url = ${url} where id = ${a}`.execute(w.db)
					)
				).field
			).toBe('link_url');
		await sql`update public.collaborations set promo_code = 'ANA10' where id = ${a}`.execute(w.db);
		expect(
			await refusal(
				sql`update public.collaborations set promo_code = 'ana10' where id = ${b}`.execute(w.db)
			)
		).toMatchObject({ status: 409 });
		// Another organization may use the same code.
		const theirs = await w.collaboration(
			w.orgB,
			await w.campaign(w.orgB),
			await w.influencer(w.orgB)
		);
		await sql`update public.collaborations set promo_code = 'ANA10' where id = ${theirs}`.execute(
			w.db
		);
	});
});

describe('deleting an organization', () => {
	it('takes its collaborations, seeded products and clicks with it', async () => {
		const campaign = await w.campaign(w.orgB);
		const collab = await w.collaboration(w.orgB, campaign, await w.influencer(w.orgB));
		await setStatus(collab, 'accepted').execute(w.db);
		const product = await w.product(w.orgB, 'GONE-1');
		await sql`insert into public.collaboration_products (org_id, collaboration_id, product_id)
		          values (${w.orgB}, ${collab}, ${product})`.execute(w.db);
		await sql`insert into public.collaboration_clicks (org_id, collaboration_id) values (${w.orgB}, ${collab})`.execute(
			w.db
		);
		await sql`delete from public.organizations where id = ${w.orgB}`.execute(w.db);
		const left = await sql<{
			n: string;
		}>`select count(*) as n from public.collaborations where org_id = ${w.orgB}`.execute(w.db);
		expect(left.rows[0]!.n).toBe('0');
	});
});
