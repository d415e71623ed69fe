// A tenancy world (org A with every role, org B) plus helpers the contacts
// tests share: running as a persona, as the worker, and reading events.
import { sql } from 'kysely';
import { asService, withRls, type Trx } from '../../src/lib/server/db/rls.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createTenancyWorld, type Persona, type TenancyWorld } from '../helpers/tenancy.ts';

export type ContactsWorld = TenancyWorld & {
	testDb: TestDatabase;
	as<T>(persona: Persona, fn: (trx: Trx) => Promise<T>): Promise<T>;
	/** As the worker does (service role). */
	service<T>(fn: (trx: Trx) => Promise<T>): Promise<T>;
	events(
		type: string,
		subjectId?: string
	): Promise<Array<{ subject_id: string; payload: unknown }>>;
	jobs(task: string): Promise<Array<{ key: string | null }>>;
	cleanup(): Promise<void>;
};

export async function createContactsWorld(): Promise<ContactsWorld> {
	const testDb = await createTestDatabase();
	const world = await createTenancyWorld(testDb.url);
	return {
		...world,
		testDb,
		as: (persona, fn) => withRls(world.db, world.claims(persona), fn),
		service: (fn) => asService(world.db, fn),
		events: async (type, subjectId) => {
			const { rows } = await sql<{ subject_id: string; payload: unknown }>`
				select subject_id, payload from public.events
				 where type = ${type} and (${subjectId ?? null}::uuid is null or subject_id = ${subjectId ?? null}::uuid)
				 order by id`.execute(world.db);
			return rows;
		},
		jobs: async (task) => {
			const { rows } = await sql<{ key: string | null }>`
				select key from graphile_worker.jobs where task_identifier = ${task} order by id`.execute(world.db);
			return rows;
		},
		cleanup: async () => {
			await world.close();
			await testDb.drop();
		}
	};
}
