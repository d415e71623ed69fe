// A sending world: the campaigns world plus an email campaign of organization
// A with a message, an audience and N contacts (set-based, as superuser), and
// the brand's postal address that marketing email must show.
import { campaignWorld, type CampaignWorld } from '../campaigns/world.ts';

export type SendingWorld = CampaignWorld;

export const TEST_UNSUBSCRIBE_SECRET = 'sending-test-secret-0123456789';

export async function sendingWorld(): Promise<SendingWorld> {
	const w = await campaignWorld();
	await w.admin.query(
		`update public.brands set address = '1 Harbour Street', city = 'Portsmouth', zip = 'PO1 2AB',
		        country = 'United Kingdom' where id = $1`,
		[w.brandA]
	);
	return w;
}

/** Adds n contacts p<from>..p<from+n-1>@<domain> to organization A. */
export async function addContacts(w: SendingWorld, n: number, from = 0, domain = 'example.test') {
	await w.admin.query(
		`insert into public.contacts (org_id, email, first_name)
		 select $1, 'p' || g || '@' || $4, 'Person ' || g from generate_series($2::int, $2::int + $3::int - 1) g`,
		[w.world.orgA, from, n, domain]
	);
}

/**
 * An email campaign of organization A whose audience is everyone (an audience
 * with no segment), with a message; returns its id. Not started.
 */
export async function emailCampaign(
	w: SendingWorld,
	opts: { name?: string; subject?: string; rate?: number; domain?: string } = {}
): Promise<string> {
	const { rows } = await w.admin.query<{ id: string }>(
		`insert into public.campaigns (org_id, kind, brand_id, name)
		 values ($1, 'email', $2, $3) returning id`,
		[w.world.orgA, w.brandA, opts.name ?? 'Winter sale']
	);
	const id = rows[0]!.id;
	const audience = await w.admin.query<{ id: string }>(
		`insert into public.audiences (org_id, name) values ($1, $2) returning id`,
		[w.world.orgA, `Everyone ${id.slice(0, 8)}`]
	);
	if (opts.domain) {
		// Only the contacts at this domain: a segment holding them, included.
		const segment = await w.admin.query<{ id: string }>(
			`insert into public.segments (org_id, name, rules) values ($1, $2, '{"op": "and", "rules": []}')
			 returning id`,
			[w.world.orgA, `At ${opts.domain} ${id.slice(0, 8)}`]
		);
		await w.admin.query(
			`insert into public.segment_memberships (org_id, segment_id, contact_id)
			 select $1, $2, id from public.contacts where org_id = $1 and email::text like '%@' || $3`,
			[w.world.orgA, segment.rows[0]!.id, opts.domain]
		);
		await w.admin.query(
			`insert into public.audience_segments (org_id, audience_id, segment_id) values ($1, $2, $3)`,
			[w.world.orgA, audience.rows[0]!.id, segment.rows[0]!.id]
		);
	}
	await w.admin.query(
		`insert into public.campaign_audiences (org_id, campaign_id, audience_id) values ($1, $2, $3)`,
		[w.world.orgA, id, audience.rows[0]!.id]
	);
	await w.admin.query(
		`insert into public.message_sends (org_id, campaign_id, subject, content)
		 values ($1, $2, $3, $4)`,
		[
			w.world.orgA,
			id,
			opts.subject ?? 'Hello {{contact.first_name | "there"}}',
			{ html: '<p>Hi {{contact.first_name}}, our winter sale starts now.</p>' }
		]
	);
	if (opts.rate) await setRate(w, opts.rate);
	return id;
}

export async function setRate(w: SendingWorld, rate: number) {
	await w.admin.query(
		`insert into private.message_throttles (org_id, rate_per_second) values ($1, $2)
		 on conflict (org_id) do update set rate_per_second = excluded.rate_per_second, tokens = 0`,
		[w.world.orgA, rate]
	);
}

export async function progress(w: SendingWorld, campaignId: string) {
	const { rows } = await w.admin.query<{
		status: string;
		recipients: number;
		sent: number;
		failed: number;
		suppressed: number;
	}>(
		`select status::text, recipients, sent, failed, suppressed from public.message_sends where campaign_id = $1`,
		[campaignId]
	);
	return rows[0]!;
}

export async function until(what: string, fn: () => Promise<boolean> | boolean, ms = 30_000) {
	const deadline = Date.now() + ms;
	while (!(await fn())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 25));
	}
}
