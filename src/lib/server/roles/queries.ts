// Custom roles and the permission catalog. The database refuses a permission
// the caller does not hold themselves (role_permissions_guard).
import type { Trx } from '$lib/server/db';
import { isLive } from '$lib/modules';
import type { CustomRoleInput } from '$lib/schemas/members';

export type Permission = { name: string; description: string };
export type CustomRole = {
	id: string;
	name: string;
	description: string;
	permissions: string[];
	memberCount: number;
};

/** What each base role (owner, admin, member, viewer) carries: global, the same everywhere. */
export async function basePermissions(trx: Trx): Promise<Record<string, string[]>> {
	const rows = await trx
		.selectFrom('base_role_permissions')
		.select(['role', 'permission'])
		.execute();
	const byRole: Record<string, string[]> = {};
	for (const { role, permission } of rows) (byRole[role] ??= []).push(permission);
	return byRole;
}

/** The permissions a custom role can be given: those of the modules that exist. */
export async function catalog(trx: Trx): Promise<Permission[]> {
	const all = await trx
		.selectFrom('permissions')
		.select(['name', 'description'])
		.orderBy('name')
		.execute();
	return all.filter((p) => isLive(p.name));
}

/** The organization's custom roles, with their permissions and how many members hold them. */
export async function list(trx: Trx, orgId: string): Promise<CustomRole[]> {
	const [roles, grants, holders] = await Promise.all([
		trx
			.selectFrom('roles')
			.select(['id', 'name', 'description'])
			.where('org_id', '=', orgId)
			.orderBy('name')
			.execute(),
		trx
			.selectFrom('role_permissions')
			.select(['role_id', 'permission'])
			.where('org_id', '=', orgId)
			.execute(),
		trx
			.selectFrom('members')
			.select(['custom_role_id', (eb) => eb.fn.countAll<string>().as('n')])
			.where('org_id', '=', orgId)
			.where('custom_role_id', 'is not', null)
			.groupBy('custom_role_id')
			.execute()
	]);
	return roles.map((role) => ({
		...role,
		permissions: grants
			.filter((g) => g.role_id === role.id)
			.map((g) => g.permission)
			.sort(),
		memberCount: Number(holders.find((h) => h.custom_role_id === role.id)?.n ?? 0)
	}));
}

export async function create(trx: Trx, orgId: string, input: CustomRoleInput): Promise<string> {
	const role = await trx
		.insertInto('roles')
		.values({ org_id: orgId, name: input.name, description: input.description })
		.returning('id')
		.executeTakeFirstOrThrow();
	await setPermissions(trx, orgId, role.id, input.permissions);
	return role.id;
}

/** Renames a role and replaces its permissions; false when it is not there or not editable. */
export async function update(
	trx: Trx,
	orgId: string,
	roleId: string,
	input: CustomRoleInput
): Promise<boolean> {
	const result = await trx
		.updateTable('roles')
		.set({ name: input.name, description: input.description })
		.where('org_id', '=', orgId)
		.where('id', '=', roleId)
		.executeTakeFirst();
	if (result.numUpdatedRows !== 1n) return false;
	await setPermissions(trx, orgId, roleId, input.permissions);
	return true;
}

export async function remove(trx: Trx, orgId: string, roleId: string): Promise<boolean> {
	const result = await trx
		.deleteFrom('roles')
		.where('org_id', '=', orgId)
		.where('id', '=', roleId)
		.executeTakeFirst();
	return result.numDeletedRows === 1n;
}

/**
 * Makes the role grant exactly `permissions` among those the editor is offered
 * (the live modules'; a permission of a module not built yet stays as it was).
 * Removes the others and adds only the missing ones: re-inserting a permission the
 * role already has would trip the guard for an editor who lacks it (nobody grants
 * what they do not hold), so a role can be renamed by an admin without touching
 * an owner-granted permission.
 */
async function setPermissions(trx: Trx, orgId: string, roleId: string, permissions: string[]) {
	const wanted = new Set(permissions);
	const held = (
		await trx
			.selectFrom('role_permissions')
			.select('permission')
			.where('role_id', '=', roleId)
			.execute()
	).map((h) => h.permission);
	const removed = held.filter((p) => !wanted.has(p) && isLive(p));
	if (removed.length) {
		await trx
			.deleteFrom('role_permissions')
			.where('role_id', '=', roleId)
			.where('permission', 'in', removed)
			.execute();
	}
	const missing = [...wanted].filter((p) => !held.includes(p));
	if (missing.length) {
		await trx
			.insertInto('role_permissions')
			.values(missing.map((permission) => ({ org_id: orgId, role_id: roleId, permission })))
			.execute();
	}
}
