// A campaigns world for database tests: the tenancy world (org A with every
// persona, org B of an outsider), a brand in each organization, and helpers
// that act as a persona exactly as a request would (withRls).
import pg from 'pg';
import { sql } from 'kysely';
import { withRls, type Trx } from '../../src/lib/server/db/rls.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createTenancyWorld, type Persona, type TenancyWorld } from '../helpers/tenancy.ts';

export type CampaignWorld = {
	testDb: TestDatabase;
	world: TenancyWorld;
	/** Superuser connection (seeding, reading what RLS hides). */
	admin: pg.Client;
	brandA: string;
	brandB: string;
	as<T>(persona: Persona, fn: (trx: Trx) => Promise<T>): Promise<T>;
	close(): Promise<void>;
};

export async function campaignWorld(): Promise<CampaignWorld> {
	const testDb = await createTestDatabase();
	const world = await createTenancyWorld(testDb.url);
	const admin = new pg.Client({ connectionString: testDb.url });
	await admin.connect();
	const brand = async (orgId: string, name: string) =>
		(
			await admin.query<{ id: string }>(
				'insert into public.brands (org_id, name) values ($1, $2) returning id',
				[orgId, name]
			)
		).rows[0]!.id;
	const brandA = await brand(world.orgA, 'Northwind');
	const brandB = await brand(world.orgB, 'Other brand');
	return {
		testDb,
		world,
		admin,
		brandA,
		brandB,
		as: (persona, fn) => withRls(world.db, world.claims(persona), fn),
		close: async () => {
			await admin.end();
			await world.close();
			await testDb.drop();
		}
	};
}

export type SaveResult = {
	saved: boolean;
	revision: number;
	data: Record<string, unknown>;
	updated_by: string | null;
	version: number;
};

export async function createCampaign(
	w: CampaignWorld,
	persona: Persona = 'member',
	values: { kind?: string; name?: string } = {}
): Promise<string> {
	return w.as(persona, async (trx) => {
		const { rows } = await sql<{ id: string }>`
			insert into public.campaigns (org_id, kind, brand_id, name)
			values (${w.world.orgA}, ${values.kind ?? 'influencer'}, ${w.brandA}, ${values.name ?? 'Spring launch'})
			returning id`.execute(trx);
		return rows[0]!.id;
	});
}

export function saveSection(
	w: CampaignWorld,
	campaignId: string,
	section: string,
	data: Record<string, unknown>,
	baseRevision: number,
	persona: Persona = 'member'
): Promise<SaveResult> {
	return w.as(persona, async (trx) => {
		const { rows } = await sql<SaveResult>`
			select saved, revision, data, updated_by, version
			  from public.save_campaign_section(${campaignId}, ${section}, ${JSON.stringify(data)}::jsonb, ${baseRevision})`.execute(
			trx
		);
		return rows[0]!;
	});
}

export async function revisionOf(
	w: CampaignWorld,
	campaignId: string,
	section: string
): Promise<number> {
	const { rows } = await w.admin.query<{ revision: number }>(
		'select revision from public.campaign_sections where campaign_id = $1 and section = $2',
		[campaignId, section]
	);
	return rows[0]!.revision;
}

/** Fills every section a submission needs, each from its current revision. */
export async function fillSections(
	w: CampaignWorld,
	campaignId: string,
	overrides: {
		basics?: object;
		objective?: object;
		budget?: object;
		audience?: object;
		creative?: object;
		products?: object;
	} = {},
	persona: Persona = 'member'
): Promise<void> {
	const sections: Record<string, object> = {
		basics: { name: 'Spring launch', description: 'New collection', brand_id: w.brandA },
		objective: {
			objective: 'Awareness for the spring collection',
			kpis: [
				{ metric: 'reach', target: 250000 },
				{ metric: 'engagements', target: 12000 }
			]
		},
		budget: {
			amount: '15000',
			currency: 'EUR',
			time_zone: 'Europe/Berlin',
			starts_at: '2099-03-01T09:00',
			ends_at: '2099-04-30T18:00',
			lines: [
				{ label: 'Creator fees', amount: '10000' },
				{ label: 'Product seeding', amount: '2500' }
			]
		},
		...overrides
	};
	for (const [section, data] of Object.entries(sections)) {
		const result = await saveSection(
			w,
			campaignId,
			section,
			data as Record<string, unknown>,
			await revisionOf(w, campaignId, section),
			persona
		);
		if (!result.saved) throw new Error(`saving ${section} conflicted`);
	}
}

export function submit(w: CampaignWorld, campaignId: string, persona: Persona = 'member') {
	return w.as(persona, async (trx) => {
		const { rows } = await sql<{
			version: number;
		}>`select public.submit_campaign(${campaignId}) as version`.execute(trx);
		return rows[0]!.version;
	});
}

export function setStatus(
	w: CampaignWorld,
	campaignId: string,
	status: string,
	persona: Persona = 'member'
) {
	return w.as(persona, (trx) =>
		sql`update public.campaigns set status = ${status} where id = ${campaignId}`.execute(trx)
	);
}

/** Puts a campaign in a status directly (superuser, still through the guard). */
export async function statusOf(w: CampaignWorld, campaignId: string): Promise<string> {
	const { rows } = await w.admin.query<{ status: string }>(
		'select status from public.campaigns where id = $1',
		[campaignId]
	);
	return rows[0]!.status;
}
