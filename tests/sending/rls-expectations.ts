// RLS expectations of sending (spread into tests/rls/expectations.ts): members
// read a campaign's message and recipients; those with campaigns.write write
// the message and move its sending (send, schedule, pause, cancel); nobody
// deletes a message (it goes with its campaign); recipients are written only
// by the freeze and the workers' functions.
import type pg from 'pg';
import type { TenancyWorld } from '../helpers/tenancy.ts';
import type { Row, TableSpec } from '../rls/expectations.ts';

const nobody = {
	anon: '----',
	outsider: '----',
	viewer: '----',
	member: '----',
	admin: '----',
	owner: '----'
};
const readers = { ...nobody, viewer: 's---', member: 's---', admin: 's---', owner: 's---' };
const writers = { ...readers, member: 'siu-', admin: 'siu-', owner: 'siu-' };
const editors = { ...readers, member: 'siud', admin: 'siud', owner: 'siud' };

async function one(client: pg.Client, sql: string, values: unknown[]): Promise<Row> {
	return (await client.query<Row>(sql, values)).rows[0]!;
}

async function emailCampaign(client: pg.Client, w: TenancyWorld, name: string): Promise<string> {
	const brand = await one(
		client,
		`insert into public.brands (org_id, name) values ($1, 'Sending brand')
		 on conflict (org_id, name) do update set name = excluded.name returning id`,
		[w.orgA]
	);
	const row = await one(
		client,
		`insert into public.campaigns (org_id, kind, brand_id, name) values ($1, 'email', $2, $3) returning id`,
		[w.orgA, brand.id, name]
	);
	return row.id as string;
}

const spare = new Map<string, string>();

export const sendingTables: Record<string, TableSpec> = {
	'public.message_sends': {
		seed: async (c, w) => {
			const campaign = await emailCampaign(c, w, 'Seeded email');
			spare.set('message', await emailCampaign(c, w, 'Email without a message'));
			await c.query(
				`insert into public.message_sends (org_id, campaign_id, subject) values ($1, $2, 'Hello')`,
				[w.orgA, campaign]
			);
			return { campaign_id: campaign };
		},
		insert: (w) => ({ org_id: w.orgA, campaign_id: spare.get('message'), subject: 'New' }),
		update: { subject: 'Changed' },
		expect: writers
	},
	'public.message_recipients': {
		seed: async (c, w) => {
			const campaign = await emailCampaign(c, w, 'Email with recipients');
			await c.query(
				`insert into public.message_sends (org_id, campaign_id, subject) values ($1, $2, 'Hello')`,
				[w.orgA, campaign]
			);
			const contact = await one(
				c,
				`insert into public.contacts (org_id, email) values ($1, 'recipient@example.test') returning id`,
				[w.orgA]
			);
			spare.set('contact', contact.id as string);
			spare.set('recipients', campaign);
			return one(
				c,
				`insert into public.message_recipients (org_id, campaign_id, contact_id, address)
				 values ($1, $2, $3, 'recipient@example.test') returning id`,
				[w.orgA, campaign, contact.id]
			);
		},
		insert: (w) => ({
			org_id: w.orgA,
			campaign_id: spare.get('recipients'),
			contact_id: spare.get('contact'),
			address: 'x@example.test'
		}),
		update: { status: 'sent' },
		expect: readers
	},
	// Subject tests: set up, changed and removed by campaign editors before sending.
	'public.message_subject_tests': {
		seed: async (c, w) => {
			const campaign = await emailCampaign(c, w, 'Email with a subject test');
			const spareCampaign = await emailCampaign(c, w, 'Email for a new subject test');
			spare.set('test', spareCampaign);
			await c.query(
				`insert into public.message_sends (org_id, campaign_id, subject)
				 values ($1, $2, 'Hello'), ($1, $3, 'Hello')`,
				[w.orgA, campaign, spareCampaign]
			);
			await c.query(
				`insert into public.message_subject_tests (org_id, campaign_id, subjects) values ($1, $2, '{Hi there}')`,
				[w.orgA, campaign]
			);
			return { campaign_id: campaign };
		},
		insert: (w) => ({ org_id: w.orgA, campaign_id: spare.get('test'), subjects: ['Hey'] }),
		update: { metric: 'clicks' },
		expect: editors
	}
};
