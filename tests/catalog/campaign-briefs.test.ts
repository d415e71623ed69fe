// A campaign's products, audiences and creative brief in the database: line
// and campaign totals computed by the database, discounts bounded 0–100,
// archived products refused, the review of creative versions (pending →
// approved / changes requested, by reviewers only, once; an approved version
// immutable for every role), wrong file kinds refused, "still missing" per
// requirement, events and audit entries, the wizard's sections applied on
// submission, and every new table walled off from other organizations.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapDbError } from '../../src/lib/server/db/errors.ts';
import type { Trx } from '../../src/lib/server/db/rls.ts';
import { createContactsWorld, type ContactsWorld } from '../contacts/world.ts';

let w: ContactsWorld;
let campaignId: string;
let jacket: string;
let socks: string;
let archived: string;
let requirementId: string;

async function one<T>(
	trx: Trx | ContactsWorld['db'],
	query: ReturnType<typeof sql<T>>
): Promise<T> {
	return (await query.execute(trx)).rows[0]!;
}

async function refusal(promise: Promise<unknown>) {
	try {
		await promise;
	} catch (e) {
		return mapDbError(e);
	}
	throw new Error('expected the database to refuse');
}

async function newCampaign(orgId: string, kind = 'influencer'): Promise<string> {
	const brand = await one(
		w.db,
		sql<{
			id: string;
		}>`insert into public.brands (org_id, name) values (${orgId}, ${'Brand ' + Math.random()}) returning id`
	);
	return (
		await one(
			w.db,
			sql<{ id: string }>`insert into public.campaigns (org_id, kind, brand_id, name)
			  values (${orgId}, ${kind}::public.campaign_kind, ${brand.id}, 'Spring launch') returning id`
		)
	).id;
}

async function newProduct(sku: string, price: string, isArchived = false): Promise<string> {
	return (
		await one(
			w.db,
			sql<{
				id: string;
			}>`insert into public.products (org_id, name, sku, price, currency, archived_at)
			  values (${w.orgA}, ${sku}, ${sku}, ${price}::numeric, 'EUR', ${isArchived ? new Date().toISOString() : null}::timestamptz)
			  returning id`
		)
	).id;
}

const addLine = (trx: Trx, productId: string, quantity: number, discount: number | string) =>
	sql`insert into public.campaign_products (org_id, campaign_id, product_id, quantity, discount_percent)
	    values (${w.orgA}, ${campaignId}, ${productId}, ${quantity}, ${discount}::numeric)`.execute(
		trx
	);

beforeAll(async () => {
	w = await createContactsWorld();
	campaignId = await newCampaign(w.orgA);
	jacket = await newProduct('JKT', '189.99');
	socks = await newProduct('SOCK', '12.50');
	archived = await newProduct('OLD', '5.00', true);
});
afterAll(async () => {
	await w.cleanup();
});

describe('campaign products', () => {
	it('computes line and campaign totals in the database', async () => {
		await w.as('member', async (trx) => {
			await addLine(trx, jacket, 3, 10); // 3 × 189.99 = 569.97, −10 % = 512.97
			await addLine(trx, socks, 4, 0); // 50.00
		});
		const lines = await w.as(
			'viewer',
			async (trx) =>
				(
					await sql<{ line_total: string; unit_price: string }>`
				select line_total, unit_price from public.campaign_products where campaign_id = ${campaignId} order by unit_price desc`.execute(
						trx
					)
				).rows
		);
		expect(lines).toEqual([
			{ line_total: '512.97', unit_price: '189.99' },
			{ line_total: '50.00', unit_price: '12.50' }
		]);
		const totals = await w.as('viewer', (trx) =>
			one(
				trx,
				sql<{ currency: string; units: string; subtotal: string; discount: string; total: string }>`
				select currency, units, subtotal, discount, total from public.campaign_product_totals where campaign_id = ${campaignId}`
			)
		);
		expect(totals).toEqual({
			currency: 'EUR',
			units: '7',
			subtotal: '619.97',
			discount: '57.00',
			total: '562.97'
		});
	});

	it('keeps the price a line was added at when the catalogue price changes', async () => {
		await sql`update public.products set price = 999 where id = ${jacket}`.execute(w.db);
		const line = await one(
			w.db,
			sql<{
				line_total: string;
			}>`select line_total from public.campaign_products where product_id = ${jacket}`
		);
		expect(line.line_total).toBe('512.97');
	});

	it('bounds discounts to 0–100 % and quantities above 0, for every role', async () => {
		const other = await newProduct('BOUND', '1.00');
		for (const [quantity, discount, field] of [
			[1, 100.01, 'discount_percent'],
			[1, -1, 'discount_percent'],
			[0, 0, 'quantity']
		] as const) {
			const mapped = await refusal(w.service((trx) => addLine(trx, other, quantity, discount)));
			expect(mapped).toMatchObject({ status: 422, field });
		}
		await w.as('member', (trx) => addLine(trx, other, 1, 100));
	});

	it('refuses archived products, and products of another organization', async () => {
		expect(await refusal(w.as('member', (trx) => addLine(trx, archived, 1, 0)))).toMatchObject({
			status: 422,
			field: 'product_id'
		});
		const theirs = await one(
			w.db,
			sql<{ id: string }>`insert into public.products (org_id, name, sku, price, currency)
			  values (${w.orgB}, 'Theirs', 'THEIRS', 1, 'EUR') returning id`
		);
		expect((await refusal(w.as('member', (trx) => addLine(trx, theirs.id, 1, 0))))?.status).toBe(
			422
		);
	});

	it('lets viewers read but not write, and shows nothing to other organizations', async () => {
		expect((await refusal(w.as('viewer', (trx) => addLine(trx, socks, 1, 0))))?.status).toBe(403);
		const seen = await w.as('outsider', async (trx) => ({
			lines: (
				await sql`select 1 from public.campaign_products where campaign_id = ${campaignId}`.execute(
					trx
				)
			).rows.length,
			totals: (
				await sql`select 1 from public.campaign_product_totals where campaign_id = ${campaignId}`.execute(
					trx
				)
			).rows.length
		}));
		expect(seen).toEqual({ lines: 0, totals: 0 });
	});
});

describe('creative review', () => {
	let assetId: string;
	let versionId: string;

	const upload = (trx: Trx, mime = 'image/png', name = 'cover.png') =>
		one(
			trx,
			sql<{ id: string; version: number; status: string }>`
			insert into public.creative_asset_versions (org_id, asset_id, storage_path, file_name, mime_type, size_bytes)
			values (${w.orgA}, ${assetId}, ${`${w.orgA}/${campaignId}/${name}`}, ${name}, ${mime}, 1000)
			returning id, version, status`
		);
	const review = (trx: Trx, id: string, status: string) =>
		sql`update public.creative_asset_versions set status = ${status}::public.creative_review_status
		     where id = ${id}`.execute(trx);

	beforeAll(async () => {
		requirementId = (
			await w.as('member', (trx) =>
				one(
					trx,
					sql<{ id: string }>`insert into public.creative_requirements
					  (org_id, campaign_id, deliverable, platform, format, count, hashtags, mentions, accepted_kinds)
					  values (${w.orgA}, ${campaignId}, 'reel', 'instagram', '9:16', 2, '{#springlaunch}', '{@northwind}', '{image,video}')
					  returning id`
				)
			)
		).id;
		assetId = (
			await w.as('member', (trx) =>
				one(
					trx,
					sql<{
						id: string;
					}>`insert into public.creative_assets (org_id, campaign_id, requirement_id, title)
					  values (${w.orgA}, ${campaignId}, ${requirementId}, 'Trail reel') returning id`
				)
			)
		).id;
	});

	it('refuses a kind of file the requirement does not take', async () => {
		expect(
			await refusal(w.as('member', (trx) => upload(trx, 'application/pdf', 'brief.pdf')))
		).toMatchObject({ status: 422, field: 'mime_type' });
	});

	it('numbers versions, starts them pending, and records creative.submitted', async () => {
		const first = await w.as('member', (trx) => upload(trx));
		expect(first).toMatchObject({ version: 1, status: 'pending' });
		versionId = first.id;
		expect((await w.events('creative.submitted', assetId)).length).toBe(1);
	});

	it('lets only reviewers review: a member is refused, an admin asks for changes', async () => {
		// RLS filters the member's update out: nothing changes.
		const result = await w.as('member', (trx) => review(trx, versionId, 'approved'));
		expect(result.numAffectedRows).toBe(0n);
		await w.as('admin', (trx) => review(trx, versionId, 'changes_requested'));
		expect((await w.events('creative.changes_requested', assetId)).length).toBe(1);
		// Reviewed once: not approved afterwards.
		expect(await refusal(w.as('admin', (trx) => review(trx, versionId, 'approved')))).toMatchObject(
			{ status: 422 }
		);
	});

	it('approves a new version, which nobody can then change or delete, service role included', async () => {
		const second = await w.as('member', (trx) => upload(trx, 'video/mp4', 'reel-v2.mp4'));
		expect(second.version).toBe(2);
		await w.as('owner', (trx) => review(trx, second.id, 'approved'));
		expect((await w.events('creative.approved', assetId)).length).toBe(1);
		for (const attempt of [
			(trx: Trx) => review(trx, second.id, 'changes_requested'),
			(trx: Trx) =>
				sql`update public.creative_asset_versions set storage_path = ${`${w.orgA}/${campaignId}/swapped.mp4`}
				     where id = ${second.id}`.execute(trx),
			(trx: Trx) =>
				sql`delete from public.creative_asset_versions where id = ${second.id}`.execute(trx),
			(trx: Trx) => sql`delete from public.creative_assets where id = ${assetId}`.execute(trx)
		]) {
			expect((await refusal(w.service(attempt)))?.status).toBe(422);
		}
		const audit = await one(
			w.db,
			sql<{ n: string }>`select count(*) as n from public.audit_log
			  where target_type = 'creative_asset_versions' and target_id in (${versionId}, ${second.id})`
		);
		expect(Number(audit.n)).toBe(2);
	});

	it('shows what is still missing per requirement', async () => {
		const progress = await w.as('viewer', (trx) =>
			one(
				trx,
				sql<{ required: number; approved: number; pending: number; missing: number }>`
				select required, approved, pending, missing from public.creative_requirement_progress
				 where requirement_id = ${requirementId}`
			)
		);
		expect(progress).toEqual({ required: 2, approved: 1, pending: 0, missing: 1 });
	});

	it('threads comments on a version and hides everything from other organizations', async () => {
		const top = await w.as('admin', (trx) =>
			one(
				trx,
				sql<{ id: string }>`insert into public.creative_comments (org_id, version_id, body)
				  values (${w.orgA}, ${versionId}, 'Logo too small') returning id`
			)
		);
		await w.as('member', (trx) =>
			sql`insert into public.creative_comments (org_id, version_id, parent_id, body)
			    values (${w.orgA}, ${versionId}, ${top.id}, 'Fixed in v2')`.execute(trx)
		);
		expect(
			(
				await refusal(
					w.as('viewer', (trx) =>
						sql`insert into public.creative_comments (org_id, version_id, body)
						    values (${w.orgA}, ${versionId}, 'Viewer says')`.execute(trx)
					)
				)
			)?.status
		).toBe(403);
		const seen = await w.as('outsider', async (trx) => {
			const count = async (table: string) =>
				(await sql`select 1 from ${sql.table(table)} where org_id = ${w.orgA}`.execute(trx)).rows
					.length;
			return {
				requirements: await count('creative_requirements'),
				assets: await count('creative_assets'),
				versions: await count('creative_asset_versions'),
				comments: await count('creative_comments'),
				progress: await count('creative_requirement_progress'),
				audiences: await count('campaign_audiences')
			};
		});
		expect(seen).toEqual({
			requirements: 0,
			assets: 0,
			versions: 0,
			comments: 0,
			progress: 0,
			audiences: 0
		});
	});
});

describe('closed campaigns', () => {
	it('refuses new deliverables and new versions once a campaign is cancelled', async () => {
		const closed = await newCampaign(w.orgA);
		const requirement = await one(
			w.db,
			sql<{ id: string }>`insert into public.creative_requirements
			  (org_id, campaign_id, deliverable, platform, format, count, accepted_kinds)
			  values (${w.orgA}, ${closed}, 'post', 'instagram', '1:1', 1, '{image}') returning id`
		);
		const asset = await one(
			w.db,
			sql<{
				id: string;
			}>`insert into public.creative_assets (org_id, campaign_id, requirement_id, title)
			  values (${w.orgA}, ${closed}, ${requirement.id}, 'Square post') returning id`
		);
		await sql`update public.campaigns set status = 'cancelled' where id = ${closed}`.execute(w.db);
		expect(
			await refusal(
				w.as('member', (trx) =>
					sql`insert into public.creative_assets (org_id, campaign_id, requirement_id, title)
					    values (${w.orgA}, ${closed}, ${requirement.id}, 'Late post')`.execute(trx)
				)
			)
		).toMatchObject({ status: 422, field: 'campaign_id' });
		expect(
			await refusal(
				w.as('member', (trx) =>
					sql`insert into public.creative_asset_versions (org_id, asset_id, storage_path, file_name, mime_type, size_bytes)
					    values (${w.orgA}, ${asset.id}, ${`${w.orgA}/${closed}/late.png`}, 'late.png', 'image/png', 1000)`.execute(
						trx
					)
				)
			)
		).toMatchObject({ status: 422, field: 'campaign_id' });
		const { rows } = await sql<{
			n: number;
		}>`select count(*)::int as n from public.creative_assets where campaign_id = ${closed}`.execute(
			w.db
		);
		expect(rows[0]!.n).toBe(1);
	});
});
