// An influencer CRM world for database tests: the tenancy world (org A with
// every persona, org B of an outsider) and helpers that act as a persona
// exactly as a request would (withRls), plus a superuser connection.
import pg from 'pg';
import { sql } from 'kysely';
import { withRls, type Trx } from '../../src/lib/server/db/rls.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createTenancyWorld, type Persona, type TenancyWorld } from '../helpers/tenancy.ts';

export type InfluencerWorld = {
	testDb: TestDatabase;
	world: TenancyWorld;
	/** Superuser connection (seeding, reading what RLS hides). */
	admin: pg.Client;
	as<T>(persona: Persona, fn: (trx: Trx) => Promise<T>): Promise<T>;
	close(): Promise<void>;
};

export async function influencerWorld(): Promise<InfluencerWorld> {
	const testDb = await createTestDatabase();
	const world = await createTenancyWorld(testDb.url);
	const admin = new pg.Client({ connectionString: testDb.url });
	await admin.connect();
	return {
		testDb,
		world,
		admin,
		as: (persona, fn) => withRls(world.db, world.claims(persona), fn),
		close: async () => {
			await admin.end();
			await world.close();
			await testDb.drop();
		}
	};
}

/** An influencer record of organization A (or another), as superuser. */
export async function seedInfluencer(
	w: InfluencerWorld,
	values: { name?: string; status?: 'cold' | 'active'; org?: string; email?: string } = {}
): Promise<string> {
	const { rows } = await w.admin.query<{ id: string }>(
		`insert into public.influencers (org_id, name, status, email)
		 values ($1, $2, $3, $4) returning id`,
		[
			values.org ?? w.world.orgA,
			values.name ?? 'Jade Rivers',
			values.status ?? 'cold',
			values.email ?? null
		]
	);
	return rows[0]!.id;
}

export async function statusOf(w: InfluencerWorld, id: string): Promise<string> {
	const { rows } = await w.admin.query<{ status: string }>(
		'select status from public.influencers where id = $1',
		[id]
	);
	return rows[0]!.status;
}

export function setStatus(
	w: InfluencerWorld,
	id: string,
	status: string,
	persona: Persona = 'member'
) {
	return w.as(persona, (trx) =>
		sql`update public.influencers set status = ${status}::public.influencer_status where id = ${id}`.execute(
			trx
		)
	);
}
