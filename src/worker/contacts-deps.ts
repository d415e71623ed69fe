// What the contact tasks need: a Kysely instance for short service
// transactions, the connection string for the import's own session (COPY
// needs a raw client), and the import file store. Created on first use.
import { createDatabase, type Database } from '../lib/server/db/client.ts';
import { defaultFileStore, type ImportFileStore } from '../lib/server/imports/files.ts';

export type ContactDeps = { db: Database; connectionString: string; store: ImportFileStore };

let deps: ContactDeps | undefined;

export function contactDeps(): ContactDeps {
	if (!deps) {
		const connectionString = process.env.WORKER_DATABASE_URL ?? process.env.DATABASE_URL;
		if (!connectionString) throw new Error('worker: set WORKER_DATABASE_URL (or DATABASE_URL)');
		deps = {
			db: createDatabase(connectionString, Number(process.env.WORKER_DB_POOL ?? 4)),
			connectionString,
			store: defaultFileStore()
		};
	}
	return deps;
}
