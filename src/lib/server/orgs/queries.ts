// Organizations: the ones a person belongs to, their settings and what the
// person may do in each. Every function takes the request's RLS transaction.
import { sql } from 'kysely';
import type { Trx } from '$lib/server/db';
import type { BrandingInput, OrgInput } from '$lib/schemas/orgs';

export type OrgRole = 'owner' | 'admin' | 'member' | 'viewer';

export type OrgSummary = { id: string; name: string; slug: string; role: OrgRole };

/** The organization a request is about. */
export type OrgScope = OrgSummary & {
	/** IANA time zone its schedules fire in and its times are shown in. */
	timeZone: string;
};

export type Branding = {
	primaryColor: string;
	accentColor: string;
	fontFamily: string;
	logoUrl: string | null;
	replyToEmail: string | null;
};

/** The signed-in person's organizations, by name. */
export function listMine(trx: Trx, userId: string): Promise<OrgSummary[]> {
	return trx
		.selectFrom('organizations as o')
		.innerJoin('members as m', 'm.org_id', 'o.id')
		.select(['o.id', 'o.name', 'o.slug', 'm.role'])
		.where('m.user_id', '=', userId)
		.orderBy('o.name')
		.execute();
}

/** The organization at `slug`, with the person's role; null when it does not exist or is not theirs. */
export async function findBySlug(trx: Trx, slug: string, userId: string): Promise<OrgScope | null> {
	const row = await trx
		.selectFrom('organizations as o')
		.innerJoin('members as m', 'm.org_id', 'o.id')
		.select(['o.id', 'o.name', 'o.slug', 'm.role', 'o.time_zone as timeZone'])
		.where('o.slug', '=', slug)
		.where('m.user_id', '=', userId)
		.executeTakeFirst();
	return row ?? null;
}

/** What the person may do in the organization: their base role's permissions and their custom role's. */
export async function permissionsOf(trx: Trx, orgId: string, userId: string): Promise<string[]> {
	const rows = await trx
		.selectFrom('members as m')
		.innerJoin('base_role_permissions as b', 'b.role', 'm.role')
		.select('b.permission')
		.where('m.org_id', '=', orgId)
		.where('m.user_id', '=', userId)
		.union(
			trx
				.selectFrom('members as m')
				.innerJoin('role_permissions as r', 'r.role_id', 'm.custom_role_id')
				.select('r.permission')
				.where('m.org_id', '=', orgId)
				.where('m.user_id', '=', userId)
		)
		.execute();
	return rows.map((r) => r.permission).sort();
}

/** Creates an organization with the caller as owner; returns its id. */
export async function create(trx: Trx, input: OrgInput): Promise<string> {
	const { rows } = await sql<{ id: string }>`
		select public.create_organization(${input.name}, ${input.slug}) as id`.execute(trx);
	return rows[0]!.id;
}

/** Renames or moves an organization (or sets its time zone); false when the caller may not. */
export async function update(
	trx: Trx,
	orgId: string,
	input: OrgInput & { timeZone?: string }
): Promise<boolean> {
	const result = await trx
		.updateTable('organizations')
		.set({
			name: input.name,
			slug: input.slug,
			...(input.timeZone ? { time_zone: input.timeZone } : {})
		})
		.where('id', '=', orgId)
		.executeTakeFirst();
	return result.numUpdatedRows === 1n;
}

/** Deletes an organization and everything it owns; false when the caller may not. */
export async function remove(trx: Trx, orgId: string): Promise<boolean> {
	const result = await trx.deleteFrom('organizations').where('id', '=', orgId).executeTakeFirst();
	return result.numDeletedRows === 1n;
}

export async function getBranding(trx: Trx, orgId: string): Promise<Branding | null> {
	const row = await trx
		.selectFrom('branding_settings')
		.select(['primary_color', 'accent_color', 'font_family', 'logo_url', 'reply_to_email'])
		.where('org_id', '=', orgId)
		.executeTakeFirst();
	return row
		? {
				primaryColor: row.primary_color,
				accentColor: row.accent_color,
				fontFamily: row.font_family,
				logoUrl: row.logo_url,
				replyToEmail: row.reply_to_email
			}
		: null;
}

/** Saves branding; false when the caller may not. */
export async function updateBranding(
	trx: Trx,
	orgId: string,
	input: BrandingInput
): Promise<boolean> {
	const result = await trx
		.updateTable('branding_settings')
		.set({
			primary_color: input.primaryColor,
			accent_color: input.accentColor,
			font_family: input.fontFamily,
			logo_url: input.logoUrl,
			reply_to_email: input.replyToEmail
		})
		.where('org_id', '=', orgId)
		.executeTakeFirst();
	return result.numUpdatedRows === 1n;
}
