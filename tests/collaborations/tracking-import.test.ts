// The bulk import of tracking numbers for a campaign's product seeding: good
// lines mark products shipped; every bad line is reported with its number and
// reason, and a file with any bad line writes nothing. Also the services the
// Influencers tab calls (invite with deliverables, answer, link and code).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as collaborations from '../../src/lib/server/collaborations/index.ts';
import { createCollabsWorld, refusal, type CollabsWorld } from './world.ts';

let w: CollabsWorld;
let campaignId: string;
let ana: string;
let ben: string;
let lines: Record<string, string>;

async function seed(collab: string, sku: string) {
	const product = await w.product(w.orgA, sku);
	return (
		await sql<{
			id: string;
		}>`insert into public.collaboration_products (org_id, collaboration_id, product_id)
		  values (${w.orgA}, ${collab}, ${product}) returning id`.execute(w.db)
	).rows[0]!.id;
}

const status = async (id: string) =>
	(
		await sql<{
			status: string;
			tracking_number: string | null;
			carrier: string | null;
		}>`select status, tracking_number, carrier from public.collaboration_products where id = ${id}`.execute(
			w.db
		)
	).rows[0]!;

beforeAll(async () => {
	w = await createCollabsWorld();
	campaignId = await w.campaign(w.orgA);
	const requirement = await w.requirement(w.orgA, campaignId);
	ana = await w.as('member', (trx) =>
		w.influencer(w.orgA, 'Ana Lima').then((influencer) =>
			collaborations.invite(trx, w.orgA, campaignId, {
				influencer_id: influencer,
				rate_amount: '450.50',
				rate_currency: 'EUR',
				deliverables: [{ requirement_id: requirement, count: 2 }]
			})
		)
	);
	ben = await w.collaboration(w.orgA, campaignId, await w.influencer(w.orgA, 'Ben Okafor'));
	await w.as('member', (trx) =>
		collaborations.setStatus(trx, w.orgA, campaignId, { collaboration_id: ana, status: 'accepted' })
	);
	lines = {
		anaJacket: await seed(ana, 'JKT-1'),
		anaCap: await seed(ana, 'CAP-1'),
		benJacket: await seed(ben, 'JKT-2')
	};
});
afterAll(async () => {
	await w.cleanup();
});

describe('the tab’s services', () => {
	it('invites with a rate as typed and the deliverables chosen', async () => {
		const [row] = await w.as('viewer', (trx) =>
			collaborations.listForCampaign(trx, w.orgA, campaignId)
		);
		expect(row).toMatchObject({
			influencerName: 'Ana Lima',
			rateAmount: '450.50',
			status: 'accepted',
			deliverables: [{ count: 2 }]
		});
		expect(row!.statusChangedBy).toBeTruthy();
	});

	it('refuses a link that is not https with the field named, and writes nothing', async () => {
		const parsed = collaborations.linkSchema.safeParse({
			collaboration_id: ana,
			link_url: 'http://shop.example/',
			promo_code: 'ANA10'
		});
		expect(parsed.success).toBe(false);
		expect(parsed.error!.issues[0]!.path).toEqual(['link_url']);
		// The database refuses it too, for a writer that skips the form.
		expect(
			(
				await refusal(
					w.as('member', (trx) =>
						collaborations.setLink(trx, w.orgA, campaignId, {
							collaboration_id: ana,
							link_url: 'javascript:alert(1)',
							promo_code: 'ANA10'
						})
					)
				)
			).field
		).toBe('link_url');
	});
});

describe('importing tracking numbers', () => {
	const run = (text: string) =>
		w.as('member', (trx) => collaborations.trackingImport.apply(trx, w.orgA, campaignId, text));

	it('reports every bad line with its reason and writes nothing', async () => {
		const file = [
			'influencer,sku,tracking_number,carrier',
			'Ana Lima,JKT-1,1Z999AA10123456784,UPS',
			'Nobody,JKT-1,123,UPS',
			'Ana Lima,NOPE,123,UPS',
			'Ana Lima,CAP-1,,DHL',
			'Ben Okafor,JKT-2,555,DHL',
			'ana lima,jkt-1,999,UPS',
			'Ana Lima,CAP-1,1,DHL,extra'
		].join('\n');
		const { imported, preview } = await run(file);
		expect(imported).toBe(0);
		expect(preview.lines.map((l) => [l.line, l.error])).toEqual([
			[2, null],
			[3, '“Nobody” has no products to receive on this campaign.'],
			[4, 'No product with SKU “NOPE” is being sent to Ana Lima.'],
			[5, 'The tracking number is missing.'],
			[6, 'Ben Okafor has not accepted the collaboration yet.'],
			[7, 'The same parcel is already on line 2.'],
			[8, 'This line has 5 columns; the header has 4.']
		]);
		expect(await status(lines.anaJacket!)).toEqual({
			status: 'chosen',
			tracking_number: null,
			carrier: null
		});
	});

	it('refuses a file without the columns, or that is not CSV, with the reason', async () => {
		await expect(run('name,parcel\nAna,1')).rejects.toMatchObject({
			field: 'file',
			message: expect.stringContaining('influencer, sku, tracking_number, carrier') as string
		});
		await expect(
			run('influencer,sku,tracking_number,carrier\n"Ana,JKT-1,1,UPS')
		).rejects.toMatchObject({
			field: 'file'
		});
		await expect(run('   ')).rejects.toMatchObject({ message: 'The file is empty.' });
	});

	it('imports a good file whole: each product shipped with its tracking number', async () => {
		const { imported, preview } = await run(
			'Influencer,SKU,Tracking number,Carrier\r\nana lima,jkt-1,1Z999AA10123456784,UPS\r\nAna Lima,CAP-1,JD014600006281,DHL\r\n'
		);
		expect(preview.bad).toBe(0);
		expect(imported).toBe(2);
		expect(await status(lines.anaJacket!)).toEqual({
			status: 'shipped',
			tracking_number: '1Z999AA10123456784',
			carrier: 'UPS'
		});
		expect((await status(lines.anaCap!)).status).toBe('shipped');
	});
});
