// The app's database entry point: the Kysely instance for DATABASE_URL, created
// on first use so that importing this module never connects.
import { env } from '$env/dynamic/private';
import { createDatabase, type Database } from './client';

export { createDatabase, type Database } from './client';
export { mapDbError, type MappedDbError } from './errors';
export { failFromDb, NOT_ALLOWED, refused } from './forms';
export { asAnon, asService, withRls, type RequestClaims, type Trx } from './rls';
export type { DB } from './schema';

let instance: Database | undefined;

export function getDatabase(): Database {
	if (!instance) {
		if (!env.DATABASE_URL) throw new Error('DATABASE_URL is not set');
		instance = createDatabase(env.DATABASE_URL, Number(env.DATABASE_POOL_SIZE ?? 10));
	}
	return instance;
}
