// The audit log in words (src/routes/(app)/[org=slug]/settings/audit/describe.ts):
// the rows the database triggers write, turned into what the page shows.
import { describe, expect, it } from 'vitest';
import {
	auditFilterSchema,
	changes,
	describeAction,
	describeTarget,
	type Entry,
	type Names
} from '../../src/routes/(app)/[org=slug]/settings/audit/describe.ts';

const names: Names = {
	people: new Map([
		['u-owner', 'Olive Owner'],
		['u-milo', 'Milo Member']
	]),
	roles: new Map([['r-lead', 'Campaign lead']])
};

const member = (role: string, custom: string | null = null) => ({
	org_id: 'o1',
	user_id: 'u-milo',
	role,
	custom_role_id: custom,
	created_at: '2026-01-01T00:00:00Z',
	updated_at: '2026-01-02T00:00:00Z'
});

const entry = (e: Partial<Entry>): Entry => ({
	action: 'members.update',
	targetType: 'members',
	targetId: 'u-milo',
	actorId: 'u-owner',
	before: null,
	after: null,
	...e
});

describe('audit log descriptions', () => {
	it('a role change: who, and each changed field from → to, bookkeeping left out', () => {
		const e = entry({ before: member('member'), after: member('admin', 'r-lead') });
		expect(describeAction(e)).toBe("Changed a member's role");
		expect(describeTarget(e, names)).toBe('Milo Member');
		expect(changes(e, names)).toEqual([
			{ field: 'Role', before: 'Member', after: 'Admin' },
			{ field: 'Custom role', before: null, after: 'Campaign lead' }
		]);
	});

	it('leaving and being removed read differently', () => {
		const removed = entry({ action: 'members.delete', before: member('viewer') });
		expect(describeAction(removed)).toBe('Removed a member');
		expect(describeAction({ ...removed, actorId: 'u-milo' })).toBe('Left the organization');
		expect(
			describeTarget({ ...removed, before: { ...member('viewer'), user_id: 'u-gone' } }, names)
		).toBe('A former member');
		// Entries written since names are kept say who it was.
		expect(
			describeTarget(
				{
					...removed,
					before: { ...member('viewer'), user_id: 'u-gone' },
					targetName: 'Nina Newcomer'
				},
				names
			)
		).toBe('Nina Newcomer');
	});

	it('invitations: sent, resent, revoked, accepted', () => {
		const base = { email: 'kim@example.test', role: 'member', revoked_at: null, accepted_at: null };
		const inv = (before: object | null, after: object) =>
			describeAction(
				entry({
					action: `invitations.${before ? 'update' : 'insert'}`,
					targetType: 'invitations',
					before,
					after
				})
			);
		expect(inv(null, base)).toBe('Invited someone');
		expect(inv(base, { ...base, expires_at: '2026-02-01T00:00:00Z' })).toBe('Resent an invitation');
		expect(inv(base, { ...base, revoked_at: '2026-01-03T10:00:00Z' })).toBe(
			'Revoked an invitation'
		);
		expect(inv(base, { ...base, accepted_at: '2026-01-03T10:00:00Z' })).toBe(
			'Accepted an invitation'
		);
		expect(describeTarget(entry({ targetType: 'invitations', after: base }), names)).toBe(
			'kim@example.test'
		);
	});

	it('settings changes show their values; timestamps in UTC', () => {
		const e = entry({
			action: 'branding_settings.update',
			targetType: 'branding_settings',
			before: { primary_color: '#4f46e5', font_family: 'Inter' },
			after: { primary_color: '#047857', font_family: 'Inter' }
		});
		expect(describeAction(e)).toBe('Changed the branding');
		expect(changes(e, names)).toEqual([
			{ field: 'Primary colour', before: '#4f46e5', after: '#047857' }
		]);
		const revoked = entry({
			action: 'invitations.update',
			targetType: 'invitations',
			before: { revoked_at: null },
			after: { revoked_at: '2026-01-03T10:05:00.123+00:00' }
		});
		expect(changes(revoked, names)).toEqual([
			{ field: 'Revoked', before: null, after: '2026-01-03 10:05 UTC' }
		]);
	});

	it('filters from the URL: unknown kinds, malformed actors and cursors are ignored', () => {
		expect(auditFilterSchema.parse({ kind: 'members', before: '120' })).toEqual({
			kind: 'members',
			before: 120
		});
		expect(auditFilterSchema.parse({ kind: 'audit_log', actor: 'nope', before: '-3' })).toEqual({
			kind: undefined,
			actor: undefined,
			before: undefined
		});
	});
});
