// Test users created straight in auth.users (as Supabase Auth would), so RLS
// tests do not depend on the Auth API. The profile trigger fires as in production.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { RequestClaims } from '../../src/lib/server/db/rls.ts';

export type TestUser = { id: string; email: string; claims: RequestClaims };

export async function createUser(databaseUrl: string, name = 'Test User'): Promise<TestUser> {
	const id = randomUUID();
	const email = `${id.slice(0, 8)}@example.test`;
	const client = new pg.Client({ connectionString: databaseUrl });
	await client.connect();
	try {
		await client.query(
			`insert into auth.users (id, aud, role, email, raw_user_meta_data, raw_app_meta_data, created_at, updated_at)
			 values ($1, 'authenticated', 'authenticated', $2, $3, '{"provider":"email","providers":["email"]}', now(), now())`,
			[id, email, JSON.stringify({ full_name: name })]
		);
	} finally {
		await client.end();
	}
	return { id, email, claims: { sub: id, role: 'authenticated', email, aud: 'authenticated' } };
}
