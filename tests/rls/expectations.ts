// The declared RLS expectations: for every table in an exposed schema, what
// each persona may do to a row of organization A. Every module adds its tables
// here; tests/rls/matrix.test.ts fails for a table that is missing.
//
// Outcomes are four letters, select / insert / update / delete, a dash where
// the persona is refused: 'siud' may do everything, 's---' may only read.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Persona, TenancyWorld } from '../helpers/tenancy.ts';
import { campaignCatalogTables } from '../catalog/rls-expectations.ts';
import { contactTables } from '../contacts/rls-expectations.ts';
import { dashboardTables } from '../dashboard/rls-expectations.ts';
import { fileTables } from '../files/rls-expectations.ts';
import { campaignTables } from '../campaigns/rls-expectations.ts';
import { templateTables } from '../templates/rls-expectations.ts';
import { sendingTables } from '../sending/rls-expectations.ts';
import { trackingTables } from '../tracking/rls-expectations.ts';
import { marketplaceTables } from '../marketplace/rls-expectations.ts';
import { influencerTables } from '../influencers/rls-expectations.ts';
import { financeTables } from '../finance/rls-expectations.ts';
import { collaborationTables } from '../collaborations/rls-expectations.ts';
import { brandLiftTables } from '../brand-lift/rls-expectations.ts';

export type Row = Record<string, unknown>;

export type TableSpec = {
	/** Creates (or finds) the row the personas act on, as superuser; returns its key. */
	seed(client: pg.Client, world: TenancyWorld): Promise<Row>;
	/** A new row for organization A; refused for all where the API has no insert path. */
	insert(world: TenancyWorld, key: Row): Row;
	/** A change to the seeded row. */
	update: Row;
	expect: Record<Persona, string>;
};

const nobody = {
	anon: '----',
	outsider: '----',
	viewer: '----',
	member: '----',
	admin: '----',
	owner: '----'
};
const orgReaders = { ...nobody, viewer: 's---', member: 's---', admin: 's---', owner: 's---' };
const managedByAdmins = { ...orgReaders, admin: 'siud', owner: 'siud' };
const catalog = {
	...nobody,
	outsider: 's---',
	viewer: 's---',
	member: 's---',
	admin: 's---',
	owner: 's---'
};

const tokenHash = () => randomBytes(32).toString('hex');

async function insertReturning(client: pg.Client, sql: string, values: unknown[]): Promise<Row> {
	const { rows } = await client.query<Row>(sql, values);
	return rows[0]!;
}

export const expectations: Record<string, TableSpec> = {
	...contactTables,
	...dashboardTables,
	...fileTables,
	...campaignTables,
	...campaignCatalogTables,
	...templateTables,
	...sendingTables,
	...trackingTables,
	...marketplaceTables,
	...influencerTables,
	...financeTables,
	...collaborationTables,
	...brandLiftTables,
	'public.profiles': {
		seed: (_c, w) => Promise.resolve({ id: w.users.target.id }),
		insert: (w) => ({ id: w.users.outsider.id, full_name: 'Nope' }),
		update: { full_name: 'Renamed' },
		// Teammates can see each other's profile; only the owner of a profile edits it.
		expect: orgReaders
	},
	'public.permissions': {
		seed: () => Promise.resolve({ name: 'contacts.write' }),
		insert: () => ({ name: 'made.up', description: 'x' }),
		update: { description: 'changed' },
		expect: catalog
	},
	'public.base_role_permissions': {
		seed: () => Promise.resolve({ role: 'member', permission: 'contacts.write' }),
		insert: () => ({ role: 'viewer', permission: 'billing.manage' }),
		update: { permission: 'org.delete' },
		expect: catalog
	},
	'public.organizations': {
		seed: (_c, w) => Promise.resolve({ id: w.orgA }),
		insert: () => ({ name: 'Direct', slug: `direct-${randomBytes(3).toString('hex')}` }),
		update: { name: 'Renamed' },
		expect: { ...orgReaders, admin: 's-u-', owner: 's-ud' }
	},
	'public.members': {
		seed: (_c, w) => Promise.resolve({ org_id: w.orgA, user_id: w.users.target.id }),
		insert: (w) => ({ org_id: w.orgA, user_id: w.users.outsider.id, role: 'member' }),
		update: { role: 'viewer' },
		expect: { ...orgReaders, admin: 's-ud', owner: 's-ud' }
	},
	'public.roles': {
		seed: (c, w) =>
			insertReturning(
				c,
				`insert into public.roles (org_id, name) values ($1, 'Seeded') returning id`,
				[w.orgA]
			),
		insert: (w) => ({ org_id: w.orgA, name: 'Fresh' }),
		update: { description: 'changed' },
		expect: managedByAdmins
	},
	'public.role_permissions': {
		seed: async (c, w) => {
			const role = await insertReturning(
				c,
				`insert into public.roles (org_id, name) values ($1, 'With permissions') returning id`,
				[w.orgA]
			);
			await c.query(
				`insert into public.role_permissions (org_id, role_id, permission) values ($1, $2, 'contacts.write')`,
				[w.orgA, role.id]
			);
			return { role_id: role.id, permission: 'contacts.write' };
		},
		insert: (w, key) => ({ org_id: w.orgA, role_id: key.role_id, permission: 'campaigns.write' }),
		update: { permission: 'sites.write' },
		expect: { ...orgReaders, admin: 'si-d', owner: 'si-d' }
	},
	'public.invitations': {
		seed: (c, w) =>
			insertReturning(
				c,
				`insert into public.invitations (org_id, email, token_hash, invited_by)
				 values ($1, 'seeded@example.test', $2, $3) returning id`,
				[w.orgA, tokenHash(), w.users.owner.id]
			),
		insert: (w) => ({
			org_id: w.orgA,
			email: 'fresh@example.test',
			role: 'member',
			token_hash: tokenHash()
		}),
		update: { revoked_at: new Date().toISOString() },
		expect: { ...nobody, admin: 'siud', owner: 'siud' }
	},
	'public.branding_settings': {
		seed: (_c, w) => Promise.resolve({ org_id: w.orgA }),
		insert: (w) => ({ org_id: w.orgA }),
		update: { primary_color: '#000000' },
		expect: { ...orgReaders, admin: 's-u-', owner: 's-u-' }
	},
	'public.brands': {
		seed: (c, w) =>
			insertReturning(
				c,
				`insert into public.brands (org_id, name) values ($1, 'Seeded brand') returning id`,
				[w.orgA]
			),
		insert: (w) => ({ org_id: w.orgA, name: 'Fresh brand', city: 'Lyon' }),
		update: { city: 'Paris' },
		expect: { ...orgReaders, member: 'siud', admin: 'siud', owner: 'siud' }
	},
	'public.events': {
		seed: (c, w) =>
			insertReturning(
				c,
				`insert into public.events (org_id, type, subject_type) values ($1, 'test.seeded', 'test') returning id`,
				[w.orgA]
			),
		insert: (w) => ({ org_id: w.orgA, type: 'forged.event', subject_type: 'test' }),
		update: { type: 'tampered.event' },
		expect: orgReaders
	},
	'public.audit_log': {
		seed: (c, w) =>
			insertReturning(
				c,
				`insert into public.audit_log (org_id, action, target_type) values ($1, 'test.seed', 'test') returning id`,
				[w.orgA]
			),
		insert: (w) => ({ org_id: w.orgA, action: 'forged', target_type: 'test' }),
		update: { action: 'tampered' },
		expect: { ...nobody, admin: 's---', owner: 's---' }
	},
	'public.email_templates': {
		seed: (c, w) =>
			insertReturning(
				c,
				`insert into public.email_templates (org_id, name, subject, body_text)
				 values ($1, 'Seeded template', 'Hi', 'Hello') returning id`,
				[w.orgA]
			),
		insert: (w) => ({ org_id: w.orgA, name: 'Fresh template', subject: 'S', body_text: 'B' }),
		update: { subject: 'Changed' },
		expect: { ...orgReaders, member: 'siud', admin: 'siud', owner: 'siud' }
	},
	'public.automations': {
		seed: (c, w) =>
			insertReturning(
				c,
				`insert into public.automations (org_id, name) values ($1, 'Seeded automation') returning id`,
				[w.orgA]
			),
		insert: (w) => ({ org_id: w.orgA, name: 'Fresh automation' }),
		update: { name: 'Renamed' },
		expect: { ...orgReaders, member: 'siud', admin: 'siud', owner: 'siud' }
	},
	'public.automation_secrets': {
		seed: (c, w) =>
			insertReturning(
				c,
				`insert into public.automation_secrets (org_id, name, value) values ($1, 'crm_key', 'sk_seeded') returning id`,
				[w.orgA]
			),
		insert: (w) => ({ org_id: w.orgA, name: 'fresh_key', value: 'sk_fresh' }),
		update: { value: 'sk_changed' },
		// Names are listed to members; the value column is granted to no API role
		// (tests/automations/secrets.test.ts reads it as every persona).
		expect: { ...orgReaders, member: 'siud', admin: 'siud', owner: 'siud' }
	},
	'public.automation_versions': {
		seed: async (c, w) => ({ id: (await seedRun(c, w)).version_id }),
		insert: (w, key) => ({ org_id: w.orgA, automation_id: key.id, version: 99, definition: {} }),
		update: { version: 42 },
		// Published through publish_automation() only; immutable.
		expect: orgReaders
	},
	'public.automation_runs': {
		seed: async (c, w) => ({ id: (await seedRun(c, w)).run_id }),
		insert: (w) => ({ org_id: w.orgA, automation_id: w.orgA, version_id: w.orgA, dedupe_key: 'x' }),
		update: { status: 'completed' },
		// Written by the worker and the run RPCs (cancel, retry, start).
		expect: orgReaders
	},
	'public.automation_step_runs': {
		seed: async (c, w) => {
			const { run_id } = await seedRun(c, w);
			return insertReturning(
				c,
				`insert into public.automation_step_runs (org_id, run_id, seq, step_id, step_type, status, idempotency_key)
				 values ($1, $2::uuid, 1, 'a', 'exit', 'succeeded', $2::text || ':1') returning id`,
				[w.orgA, run_id]
			);
		},
		insert: (w) => ({
			org_id: w.orgA,
			run_id: w.orgA,
			seq: 9,
			step_id: 'x',
			step_type: 'exit',
			status: 'succeeded',
			idempotency_key: 'k'
		}),
		update: { status: 'failed' },
		expect: orgReaders
	},
	'public.webhook_subscriptions': {
		seed: (c, w) => seedSubscription(c, w),
		insert: (w) => ({
			org_id: w.orgA,
			url: 'https://example.test/hook',
			event_types: ['contact.created']
		}),
		update: { enabled: false },
		expect: { ...nobody, admin: 'siud', owner: 'siud' }
	},
	'public.webhook_deliveries': {
		seed: async (c, w) => {
			const subscription = await seedSubscription(c, w);
			const event = await insertReturning(
				c,
				`insert into public.events (org_id, type, subject_type) values ($1, 'test.unrouted', 'test') returning id`,
				[w.orgA]
			);
			return insertReturning(
				c,
				`insert into public.webhook_deliveries (org_id, subscription_id, event_id, event_type)
				 values ($1, $2, $3, 'test.unrouted') returning id`,
				[w.orgA, subscription.id, event.id]
			);
		},
		insert: (w) => ({ org_id: w.orgA, subscription_id: w.orgA, event_id: 1, event_type: 'x.y' }),
		update: { status: 'succeeded' },
		// Created by the events trigger and replay_webhook_delivery(); written by the worker.
		expect: { ...nobody, admin: 's---', owner: 's---' }
	},
	'public.inbound_webhooks': {
		seed: (c, w) =>
			insertReturning(
				c,
				`insert into public.inbound_webhooks (org_id, name) values ($1, 'Seeded endpoint') returning id`,
				[w.orgA]
			),
		insert: (w) => ({ org_id: w.orgA, name: 'Fresh endpoint' }),
		update: { enabled: false },
		expect: { ...nobody, admin: 'siud', owner: 'siud' }
	},
	'public.inbound_webhook_requests': {
		seed: async (c, w) => {
			const endpoint = await insertReturning(
				c,
				`insert into public.inbound_webhooks (org_id, name) values ($1, 'Logged endpoint') returning id`,
				[w.orgA]
			);
			return insertReturning(
				c,
				`insert into public.inbound_webhook_requests (org_id, endpoint_id, status_code, error)
				 values ($1, $2, 401, 'signature does not match') returning id`,
				[w.orgA, endpoint.id]
			);
		},
		insert: (w) => ({ org_id: w.orgA, endpoint_id: w.orgA, status_code: 200 }),
		update: { status_code: 500 },
		// Written by the inbound-webhook function (service role) only.
		expect: { ...nobody, admin: 's---', owner: 's---' }
	}
};

/** An automation with a published version and one run (shared by the automation tables' seeds). */
async function seedRun(
	client: pg.Client,
	world: TenancyWorld
): Promise<{ version_id: string; run_id: string }> {
	const automation = await insertReturning(
		client,
		`insert into public.automations (org_id, name) values ($1, $2) returning id`,
		[world.orgA, `Run seed ${randomBytes(3).toString('hex')}`]
	);
	const version = await insertReturning(
		client,
		`insert into public.automation_versions (org_id, automation_id, version, definition)
		 values ($1, $2, 1, '{}') returning id`,
		[world.orgA, automation.id]
	);
	const run = await insertReturning(
		client,
		`insert into public.automation_runs (org_id, automation_id, version_id, dedupe_key)
		 values ($1, $2, $3, 'seed') returning id`,
		[world.orgA, automation.id, version.id]
	);
	return { version_id: version.id as string, run_id: run.id as string };
}

function seedSubscription(client: pg.Client, world: TenancyWorld): Promise<Row> {
	return insertReturning(
		client,
		`insert into public.webhook_subscriptions (org_id, url, event_types)
		 values ($1, 'https://example.test/seeded', '{test.unrouted}') returning id`,
		[world.orgA]
	);
}
