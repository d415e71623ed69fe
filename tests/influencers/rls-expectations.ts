// RLS expectations of the influencer CRM (spread into tests/rls/expectations.ts):
// members read their organization's influencer records, handles and outreach
// history; those with influencers.write (members, admins, owners) write them;
// outreach is history: logged and marked sent or failed, never deleted.
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
const editors = { ...readers, member: 'siud', admin: 'siud', owner: 'siud' };

async function one(client: pg.Client, sql: string, values: unknown[]): Promise<Row> {
	return (await client.query<Row>(sql, values)).rows[0]!;
}

const influencerIds = new Map<string, string>();
async function seedInfluencer(client: pg.Client, w: TenancyWorld, name: string): Promise<string> {
	const row = await one(
		client,
		`insert into public.influencers (org_id, name, email) values ($1, $2, 'someone@example.com') returning id`,
		[w.orgA, name]
	);
	return row.id as string;
}

export const influencerTables: Record<string, TableSpec> = {
	'public.influencers': {
		seed: async (c, w) => ({ id: await seedInfluencer(c, w, 'Seeded influencer') }),
		insert: (w) => ({ org_id: w.orgA, name: 'Fresh influencer' }),
		update: { notes: 'Changed' },
		expect: editors
	},
	'public.influencer_handles': {
		seed: async (c, w) => {
			const influencer = await seedInfluencer(c, w, 'Influencer with handles');
			influencerIds.set('handles', influencer);
			return one(
				c,
				`insert into public.influencer_handles (org_id, influencer_id, platform, handle)
				 values ($1, $2, 'instagram', 'seeded.handle') returning id`,
				[w.orgA, influencer]
			);
		},
		insert: (w) => ({
			org_id: w.orgA,
			influencer_id: influencerIds.get('handles'),
			platform: 'tiktok',
			handle: 'fresh.handle'
		}),
		update: { handle: 'renamed.handle' },
		expect: editors
	},
	'public.influencer_outreach': {
		seed: async (c, w) => {
			const influencer = await seedInfluencer(c, w, 'Influencer contacted');
			influencerIds.set('outreach', influencer);
			return one(
				c,
				`insert into public.influencer_outreach (org_id, influencer_id, subject, to_email)
				 values ($1, $2, 'Hello', 'someone@example.com') returning id`,
				[w.orgA, influencer]
			);
		},
		insert: (w) => ({
			org_id: w.orgA,
			influencer_id: influencerIds.get('outreach'),
			subject: 'Another hello',
			to_email: 'someone@example.com'
		}),
		update: { status: 'sent' },
		// History: logged before sending, marked sent or failed, never deleted.
		expect: { ...readers, member: 'siu-', admin: 'siu-', owner: 'siu-' }
	}
};
