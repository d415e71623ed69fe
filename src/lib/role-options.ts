// Select options for a member's base role and custom role, shared by the
// members and invitations pages. The database enforces the same rules; these
// only keep people from choosing what it would refuse.
import { ROLE_LABELS, ROLES } from '$lib/schemas/members';

export type Option = { value: string; label: string; disabled: boolean };

/**
 * Nobody hands out a base role carrying a permission they lack (only owners, the owner
 * role), except the one the member already has (`keep`): keeping it grants nothing new.
 */
export function roleOptions(
	isOwner: boolean,
	basePermissions: Record<string, string[]> = {},
	myPermissions: readonly string[] = [],
	keep?: string | null
): Option[] {
	return ROLES.map((r) => {
		const ownerOnly = r === 'owner' && !isOwner;
		const lacking =
			r !== keep && (basePermissions[r] ?? []).some((p) => !myPermissions.includes(p));
		return {
			value: r,
			label:
				ROLE_LABELS[r] +
				(ownerOnly ? ' (owners only)' : lacking ? ' (has permissions you do not)' : ''),
			disabled: ownerOnly || lacking
		};
	});
}

/**
 * Nobody grants a custom role carrying a permission they lack, except one the
 * person already holds (`keepId`): keeping it grants nothing new.
 */
export function customRoleOptions(
	customRoles: { id: string; name: string; permissions: string[] }[],
	myPermissions: string[],
	keepId?: string | null
): Option[] {
	return [
		{ value: '', label: 'None', disabled: false },
		...customRoles.map((r) => {
			const grantable = r.id === keepId || r.permissions.every((p) => myPermissions.includes(p));
			return {
				value: r.id,
				label: grantable ? r.name : `${r.name} (has permissions you do not)`,
				disabled: !grantable
			};
		})
	];
}
