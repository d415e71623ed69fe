// Attribution of conversions to collaborations: one test per rule written in
// private.attribute_conversion() (supabase/migrations/…_collaborations.sql)
// and in the README ("Collaborations: attribution").
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollabsWorld, type CollabsWorld } from './world.ts';

let w: CollabsWorld;
let campaignId: string;
let ana: string;
let ben: string;
let theirs: string;

const DAY = 24 * 3600 * 1000;
const at = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY).toISOString();

async function click(collab: string, visitor: string, daysAgo: number, orgId = w.orgA) {
	await sql`insert into public.collaboration_clicks (org_id, collaboration_id, visitor_id, clicked_at)
	          values (${orgId}, ${collab}, ${visitor}, ${at(daysAgo)}::timestamptz)`.execute(w.db);
}

/** Records an order as a shop's webhook would (service role); returns who it counts for. */
async function convert(order: {
	promo?: string;
	visitor?: string;
	daysAgo?: number;
	orgId?: string;
}) {
	return w.service(
		async (trx) =>
			(
				await sql<{ collaboration_id: string | null; attributed_by: string }>`
				insert into public.conversions (org_id, order_ref, amount, currency, promo_code, visitor_id, occurred_at, collaboration_id, attributed_by)
				values (${order.orgId ?? w.orgA}, ${randomUUID()}, 49.90, 'EUR', ${order.promo ?? null}, ${order.visitor ?? null}::uuid,
				        ${at(order.daysAgo ?? 0)}::timestamptz, ${ben}, 'promo_code')
				returning collaboration_id, attributed_by`.execute(trx)
			).rows[0]!
	);
}

beforeAll(async () => {
	w = await createCollabsWorld();
	campaignId = await w.campaign(w.orgA);
	ana = await w.collaboration(w.orgA, campaignId, await w.influencer(w.orgA, 'Ana'));
	ben = await w.collaboration(w.orgA, campaignId, await w.influencer(w.orgA, 'Ben'));
	await sql`update public.collaborations set promo_code = 'ANA10' where id = ${ana}`.execute(w.db);
	await sql`update public.collaborations set promo_code = 'BEN15' where id = ${ben}`.execute(w.db);
	theirs = await w.collaboration(w.orgB, await w.campaign(w.orgB), await w.influencer(w.orgB));
	await sql`update public.collaborations set promo_code = 'THEIRS' where id = ${theirs}`.execute(
		w.db
	);
});
afterAll(async () => {
	await w.cleanup();
});

describe('attribution rules', () => {
	it('1. a promo code counts for its collaboration, whatever links were clicked (any case)', async () => {
		const visitor = randomUUID();
		await click(ben, visitor, 1);
		expect(await convert({ promo: 'ana10', visitor })).toEqual({
			collaboration_id: ana,
			attributed_by: 'promo_code'
		});
	});

	it("2. without a code, the visitor's last click within 30 days counts (the later one wins)", async () => {
		const visitor = randomUUID();
		await click(ana, visitor, 10);
		await click(ben, visitor, 3);
		expect(await convert({ visitor })).toEqual({
			collaboration_id: ben,
			attributed_by: 'last_click'
		});
	});

	it('3. a click after the conversion or more than 30 days before it counts for nobody', async () => {
		const visitor = randomUUID();
		await click(ana, visitor, 33); // 31 days before the conversion
		await click(ben, visitor, 1);
		expect(await convert({ visitor, daysAgo: 2 })).toEqual({
			collaboration_id: null,
			attributed_by: 'none'
		});
	});

	it("4. a promo code that is not one of the organization's attributes nothing; the clicks decide", async () => {
		const visitor = randomUUID();
		await click(ana, visitor, 5);
		expect(await convert({ promo: 'THEIRS', visitor })).toEqual({
			collaboration_id: ana,
			attributed_by: 'last_click'
		});
		expect(await convert({ promo: 'TYPO99' })).toEqual({
			collaboration_id: null,
			attributed_by: 'none'
		});
	});

	it("5. a rejected collaboration's promo code and clicks count for nobody", async () => {
		const carla = await w.collaboration(w.orgA, campaignId, await w.influencer(w.orgA, 'Carla'));
		await sql`update public.collaborations set promo_code = 'CARLA5', status = 'rejected' where id = ${carla}`.execute(
			w.db
		);
		const visitor = randomUUID();
		await click(carla, visitor, 1);
		expect(await convert({ promo: 'CARLA5', visitor })).toEqual({
			collaboration_id: null,
			attributed_by: 'none'
		});
	});

	it("6. another organization's clicks never count", async () => {
		const visitor = randomUUID();
		await click(theirs, visitor, 1, w.orgB);
		expect(await convert({ visitor })).toEqual({ collaboration_id: null, attributed_by: 'none' });
	});

	it('7. with neither a code nor a click the conversion counts for nobody, whatever the writer claims', async () => {
		// convert() claims Ben by promo code; the database decides.
		expect(await convert({})).toEqual({ collaboration_id: null, attributed_by: 'none' });
		const visitor = randomUUID();
		expect(
			await w.as(
				'anon',
				async (trx) =>
					(
						await sql<{
							url: string | null;
						}>`select tracking.collaboration_click('nosuchcode1', ${visitor}::uuid) as url`.execute(
							trx
						)
					).rows[0]!.url
			)
		).toBeNull();
		expect(await convert({ visitor })).toEqual({ collaboration_id: null, attributed_by: 'none' });
	});

	it('8. one collaboration per conversion, decided once: later clicks do not move it', async () => {
		const visitor = randomUUID();
		await click(ana, visitor, 2);
		const order = randomUUID();
		await w.service((trx) =>
			sql`insert into public.conversions (org_id, order_ref, amount, currency, visitor_id, occurred_at)
			    values (${w.orgA}, ${order}, 10, 'EUR', ${visitor}::uuid, ${at(1)}::timestamptz)`.execute(trx)
		);
		await click(ben, visitor, 0);
		await expect(
			w.service((trx) =>
				sql`update public.conversions set collaboration_id = ${ben} where order_ref = ${order}`.execute(
					trx
				)
			)
		).rejects.toThrow(/cannot be changed/);
		const row = (
			await sql<{
				collaboration_id: string;
			}>`select collaboration_id from public.conversions where order_ref = ${order}`.execute(w.db)
		).rows;
		expect(row).toEqual([{ collaboration_id: ana }]);
	});
});
