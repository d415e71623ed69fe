// Members of an organization. Every function takes the request's RLS
// transaction; the database enforces who may change whom (members_guard).
import type { Trx } from '$lib/server/db';
import type { MemberRoleInput, Role } from '$lib/schemas/members';

export type Member = {
	userId: string;
	fullName: string;
	email: string;
	role: Role;
	customRoleId: string | null;
	customRoleName: string | null;
	joinedAt: string;
};

/** Everyone in the organization: owners first, then by name. */
export async function list(trx: Trx, orgId: string): Promise<Member[]> {
	const rows = await trx
		.selectFrom('members as m')
		.leftJoin('profiles as p', 'p.id', 'm.user_id')
		.leftJoin('roles as r', 'r.id', 'm.custom_role_id')
		.select([
			'm.user_id',
			'm.role',
			'm.custom_role_id',
			'm.created_at',
			'p.full_name',
			'p.email',
			'r.name as custom_role_name'
		])
		.where('m.org_id', '=', orgId)
		.orderBy('m.role')
		.orderBy('p.full_name')
		.orderBy('p.email')
		.execute();
	return rows.map((r) => ({
		userId: r.user_id,
		fullName: r.full_name ?? '',
		email: r.email ?? '',
		role: r.role,
		customRoleId: r.custom_role_id,
		customRoleName: r.custom_role_name,
		joinedAt: r.created_at
	}));
}

/** Changes a member's role; false when the caller may not (RLS) or the member is gone. */
export async function changeRole(
	trx: Trx,
	orgId: string,
	input: MemberRoleInput
): Promise<boolean> {
	const result = await trx
		.updateTable('members')
		.set({ role: input.role, custom_role_id: input.customRoleId })
		.where('org_id', '=', orgId)
		.where('user_id', '=', input.userId)
		.executeTakeFirst();
	return result.numUpdatedRows === 1n;
}

/** Removes a member (or lets someone leave); false when the caller may not. */
export async function remove(trx: Trx, orgId: string, userId: string): Promise<boolean> {
	const result = await trx
		.deleteFrom('members')
		.where('org_id', '=', orgId)
		.where('user_id', '=', userId)
		.executeTakeFirst();
	return result.numDeletedRows === 1n;
}
