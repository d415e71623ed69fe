// Audiences of an organization: targeting (demographics, places, languages,
// interests) and, for message campaigns, segments to include and exclude with
// a reach per channel counted by the database (public.segments_reach: consent
// as contact_can_send). RLS: members read, campaigns.write writes.
import { sql } from 'kysely';
import type { Trx } from '$lib/server/db';
import { splitList, type AudienceInput } from '$lib/schemas/audiences';

type Channel = 'email' | 'sms' | 'whatsapp';

export type Audience = AudienceInput & { id: string; updatedAt: string };
export type AudienceSummary = {
	id: string;
	name: string;
	description: string;
	countries: string[];
	ageRanges: string[];
	interests: number;
	segments: number;
	updatedAt: string;
};
export type Interest = { key: string; parentKey: string | null; label: string };

/** The interest taxonomy, groups first then their topics, in order. */
export async function interests(trx: Trx): Promise<Interest[]> {
	const rows = await trx
		.selectFrom('interests')
		.select(['key', 'parent_key', 'label'])
		.orderBy(sql`coalesce(parent_key, key)`)
		.orderBy(sql`parent_key is not null`)
		.orderBy('position')
		.execute();
	return rows.map((r) => ({ key: r.key, parentKey: r.parent_key, label: r.label }));
}

export async function list(trx: Trx, orgId: string): Promise<AudienceSummary[]> {
	const rows = await trx
		.selectFrom('audiences as a')
		.select([
			'a.id',
			'a.name',
			'a.description',
			'a.countries',
			// Arrays of an enum come back from pg as '{…}' text unless cast.
			sql<string[]>`a.age_ranges::text[]`.as('age_ranges'),
			'a.interests',
			'a.updated_at',
			(eb) =>
				eb
					.selectFrom('audience_segments as s')
					.whereRef('s.org_id', '=', 'a.org_id')
					.whereRef('s.audience_id', '=', 'a.id')
					.select((e) => e.fn.countAll<string>().as('n'))
					.as('segments')
		])
		.where('a.org_id', '=', orgId)
		.orderBy(sql`lower(a.name)`)
		.execute();
	return rows.map((r) => ({
		id: r.id,
		name: r.name,
		description: r.description,
		countries: r.countries,
		ageRanges: r.age_ranges,
		interests: r.interests.length,
		segments: Number(r.segments ?? 0),
		updatedAt: r.updated_at
	}));
}

export async function get(trx: Trx, orgId: string, id: string): Promise<Audience | null> {
	const row = await trx
		.selectFrom('audiences')
		.selectAll()
		// Arrays of an enum come back from pg as '{…}' text unless cast.
		.select([
			sql<Audience['ageRanges']>`age_ranges::text[]`.as('age_ranges'),
			sql<Audience['genders']>`genders::text[]`.as('genders')
		])
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	if (!row) return null;
	const segments = await trx
		.selectFrom('audience_segments')
		.select(['segment_id', 'excluded'])
		.where('org_id', '=', orgId)
		.where('audience_id', '=', id)
		.execute();
	return {
		id: row.id,
		name: row.name,
		description: row.description,
		ageRanges: row.age_ranges,
		genders: row.genders,
		countries: row.countries as Audience['countries'],
		regions: row.regions.join(', '),
		cities: row.cities.join(', '),
		languages: row.languages as Audience['languages'],
		interests: row.interests,
		includeSegments: segments.filter((s) => !s.excluded).map((s) => s.segment_id),
		excludeSegments: segments.filter((s) => s.excluded).map((s) => s.segment_id),
		updatedAt: row.updated_at
	};
}

const columnsOf = (input: AudienceInput) => ({
	name: input.name,
	description: input.description,
	age_ranges: input.ageRanges,
	genders: input.genders,
	countries: input.countries,
	regions: splitList(input.regions, true),
	cities: splitList(input.cities),
	languages: input.languages,
	interests: input.interests
});

async function replaceSegments(trx: Trx, orgId: string, id: string, input: AudienceInput) {
	await trx
		.deleteFrom('audience_segments')
		.where('org_id', '=', orgId)
		.where('audience_id', '=', id)
		.execute();
	const rows = [
		...input.includeSegments.map((segment_id) => ({ segment_id, excluded: false })),
		...input.excludeSegments.map((segment_id) => ({ segment_id, excluded: true }))
	].map((r) => ({ org_id: orgId, audience_id: id, ...r }));
	if (rows.length) await trx.insertInto('audience_segments').values(rows).execute();
}

/** Creates an audience with its segments (one transaction: all or nothing). */
export async function create(trx: Trx, orgId: string, input: AudienceInput): Promise<string> {
	const row = await trx
		.insertInto('audiences')
		.values({ org_id: orgId, ...columnsOf(input) })
		.returning('id')
		.executeTakeFirstOrThrow();
	await replaceSegments(trx, orgId, row.id, input);
	return row.id;
}

export async function update(
	trx: Trx,
	orgId: string,
	id: string,
	input: AudienceInput
): Promise<boolean> {
	const result = await trx
		.updateTable('audiences')
		.set(columnsOf(input))
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	if (result.numUpdatedRows !== 1n) return false;
	await replaceSegments(trx, orgId, id, input);
	return true;
}

export async function remove(trx: Trx, orgId: string, id: string): Promise<boolean> {
	const result = await trx
		.deleteFrom('audiences')
		.where('org_id', '=', orgId)
		.where('id', '=', id)
		.executeTakeFirst();
	return result.numDeletedRows === 1n;
}

/** Contacts reached on a channel by included minus excluded segments, with consent. */
export async function reach(
	trx: Trx,
	orgId: string,
	include: string[],
	exclude: string[],
	channel: Channel
): Promise<number> {
	const { rows } = await sql<{ n: string }>`select public.segments_reach(${orgId}::uuid,
		${include}::uuid[], ${exclude}::uuid[], ${channel}::public.consent_channel) as n`.execute(trx);
	return Number(rows[0]?.n ?? 0);
}

/** The reach of the audience's segments on every channel (for its page). */
export async function reachByChannel(
	trx: Trx,
	orgId: string,
	include: string[],
	exclude: string[]
): Promise<Record<Channel, number>> {
	const [email, sms, whatsapp] = await Promise.all(
		(['email', 'sms', 'whatsapp'] as const).map((c) => reach(trx, orgId, include, exclude, c))
	);
	return { email: email!, sms: sms!, whatsapp: whatsapp! };
}

/**
 * A campaign's reach on its channel through all its audiences, each contact
 * counted once (a contact in two audiences is one person to message).
 */
export async function campaignReach(
	trx: Trx,
	campaignId: string,
	channel: Channel
): Promise<number> {
	const { rows } = await sql<{ n: string }>`select public.campaign_reach(${campaignId}::uuid,
		${channel}::public.consent_channel) as n`.execute(trx);
	return Number(rows[0]?.n ?? 0);
}

/** The reach of several saved audiences together, each contact counted once. */
export async function audiencesReach(
	trx: Trx,
	orgId: string,
	ids: string[],
	channel: Channel
): Promise<number> {
	const { rows } = await sql<{ n: string }>`select public.audiences_reach(${orgId}::uuid,
		${ids}::uuid[], ${channel}::public.consent_channel) as n`.execute(trx);
	return Number(rows[0]?.n ?? 0);
}

/** The reach of saved audiences on a channel, by audience id (the wizard's picker, the overview). */
export async function reachOf(
	trx: Trx,
	orgId: string,
	ids: string[],
	channel: Channel
): Promise<Map<string, number>> {
	if (!ids.length) return new Map();
	const { rows } = await sql<{ id: string; n: string }>`select a.id,
		public.audience_reach(a.id, ${channel}::public.consent_channel) as n
		from public.audiences a where a.org_id = ${orgId}::uuid and a.id = any(${ids}::uuid[])`.execute(
		trx
	);
	return new Map(rows.map((r) => [r.id, Number(r.n)]));
}
