// Creates the Supabase platform objects (roles, schemas, auth tables, grants)
// in a database, only where absent. Each file in sql/ runs in its own transaction.
import { readdir, readFile } from 'node:fs/promises';
import pg from 'pg';

const sqlDir = new URL('./sql/', import.meta.url);

/** Files that assume they may act as Supabase's internal roles; skipped where
 * their objects already exist (a real Supabase project owns them). */
const skipWhenPresent: Record<string, string> = {
	'10-auth.sql': 'auth.users',
	'30-storage.sql': 'storage.objects'
};

export async function bootstrap(databaseUrl: string): Promise<void> {
	const client = new pg.Client({ connectionString: databaseUrl });
	await client.connect();
	try {
		const files = (await readdir(sqlDir)).filter((f) => f.endsWith('.sql')).sort();
		for (const file of files) {
			const marker = skipWhenPresent[file];
			if (marker) {
				const { rows } = await client.query<{ present: boolean }>(
					'select to_regclass($1) is not null as present',
					[marker]
				);
				if (rows[0]?.present) continue;
			}
			const sql = await readFile(new URL(file, sqlDir), 'utf8');
			await client.query('begin');
			try {
				await client.query(sql);
				await client.query('commit');
			} catch (error) {
				await client.query('rollback');
				throw new Error(`bootstrap ${file}: ${(error as Error).message}`, { cause: error });
			}
		}
	} finally {
		await client.end();
	}
}
