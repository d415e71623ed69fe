// Member, invitation and custom-role fields, shared by forms and actions.
import { z } from 'zod';
import { Constants } from '$lib/database.types';
import { email } from '$lib/validation';

export const ROLES = Constants.public.Enums.org_role;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
	owner: 'Owner',
	admin: 'Admin',
	member: 'Member',
	viewer: 'Viewer'
};

const optionalId = z
	.union([z.uuid('Choose a role from the list.'), z.literal('')])
	.transform((v) => (v === '' ? null : v))
	.nullable();

export const inviteSchema = z.object({
	email,
	role: z.enum(ROLES, 'Choose a role from the list.'),
	customRoleId: optionalId
});
export type InviteInput = z.infer<typeof inviteSchema>;

export const memberRoleSchema = z.object({
	userId: z.uuid(),
	role: z.enum(ROLES, 'Choose a role from the list.'),
	customRoleId: optionalId
});
export type MemberRoleInput = z.infer<typeof memberRoleSchema>;

export const PERMISSION_PATTERN = /^[a-z_]+\.[a-z_]+$/;

export const customRoleSchema = z.object({
	name: z.string().trim().min(1, 'Name the role.').max(60, 'Use at most 60 characters.'),
	description: z.string().trim().max(300, 'Use at most 300 characters.').default(''),
	permissions: z
		.array(z.string().regex(PERMISSION_PATTERN, 'Unknown permission.'))
		.max(50)
		.default([])
});
export type CustomRoleInput = z.infer<typeof customRoleSchema>;
