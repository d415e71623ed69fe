// A two-organization world for tenancy tests: org A with an owner, an admin, a
// member, a viewer and one more member ("target") to act upon; org B owned by
// an outsider. Memberships other than the creators' are inserted directly, as
// an accepted invitation would leave them.
import pg from 'pg';
import { createDatabase, type Database } from '../../src/lib/server/db/client.ts';
import { withRls, type RequestClaims } from '../../src/lib/server/db/rls.ts';
import { sql } from 'kysely';
import { createUser, type TestUser } from './users.ts';

export const PERSONAS = ['anon', 'outsider', 'viewer', 'member', 'admin', 'owner'] as const;
export type Persona = (typeof PERSONAS)[number];

export type TenancyWorld = {
	db: Database;
	orgA: string;
	orgB: string;
	users: Record<Exclude<Persona, 'anon'> | 'target', TestUser>;
	claims(persona: Persona): RequestClaims;
	close(): Promise<void>;
};

export async function createOrganization(
	db: Database,
	owner: TestUser,
	name: string,
	slug: string
): Promise<string> {
	const { rows } = await withRls(db, owner.claims, (trx) =>
		sql<{ id: string }>`select public.create_organization(${name}, ${slug}) as id`.execute(trx)
	);
	return rows[0]!.id;
}

export async function addMember(
	databaseUrl: string,
	orgId: string,
	user: TestUser,
	role: 'owner' | 'admin' | 'member' | 'viewer'
): Promise<void> {
	const client = new pg.Client({ connectionString: databaseUrl });
	await client.connect();
	try {
		await client.query('insert into public.members (org_id, user_id, role) values ($1, $2, $3)', [
			orgId,
			user.id,
			role
		]);
	} finally {
		await client.end();
	}
}

export async function createTenancyWorld(databaseUrl: string): Promise<TenancyWorld> {
	const db = createDatabase(databaseUrl, 4);
	const users = {
		owner: await createUser(databaseUrl, 'Olive Owner'),
		admin: await createUser(databaseUrl, 'Adam Admin'),
		member: await createUser(databaseUrl, 'Mia Member'),
		viewer: await createUser(databaseUrl, 'Vic Viewer'),
		target: await createUser(databaseUrl, 'Tara Target'),
		outsider: await createUser(databaseUrl, 'Otto Outsider')
	};
	const orgA = await createOrganization(
		db,
		users.owner,
		'Acme',
		`acme-${users.owner.id.slice(0, 6)}`
	);
	const orgB = await createOrganization(
		db,
		users.outsider,
		'Beta',
		`beta-${users.owner.id.slice(0, 6)}`
	);
	await addMember(databaseUrl, orgA, users.admin, 'admin');
	await addMember(databaseUrl, orgA, users.member, 'member');
	await addMember(databaseUrl, orgA, users.viewer, 'viewer');
	await addMember(databaseUrl, orgA, users.target, 'member');
	return {
		db,
		orgA,
		orgB,
		users,
		claims: (persona) => (persona === 'anon' ? { role: 'anon' } : users[persona].claims),
		close: () => db.destroy()
	};
}
