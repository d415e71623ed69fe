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
	it('describes products and audiences', () => {
		const archived = entry({
			action: 'products.update',
			targetType: 'products',
			before: { name: 'Tent', sku: 'T-1', price: 10, currency: 'EUR', archived_at: null },
			after: {
				name: 'Tent',
				sku: 'T-1',
				price: 10,
				currency: 'EUR',
				archived_at: '2026-01-02T00:00:00Z'
			}
		});
		expect(describeAction(archived)).toBe('Archived a product');
		expect(describeTarget(archived, names)).toBe('Tent (T-1)');
		const audience = entry({
			action: 'audiences.update',
			targetType: 'audiences',
			before: { name: 'Hikers' },
			after: { name: 'Hikers', targeting_changed: true }
		});
		expect(describeAction(audience)).toBe("Changed an audience's targeting");
		expect(describeTarget(audience, names)).toBe('Hikers');
	});

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

	it('segments, automations, webhooks, imports and contacts in words', () => {
		const seg = (before: object | null, after: object | null, op = 'update') =>
			entry({ action: `segments.${op}`, targetType: 'segments', before, after });
		expect(describeAction(seg(null, { name: 'Fans' }, 'insert'))).toBe('Created a segment');
		expect(
			describeAction(seg({ name: 'Subscribers' }, { name: 'Fans', rules_changed: false }))
		).toBe('Renamed a segment');
		expect(describeAction(seg({ name: 'Fans' }, { name: 'Fans', rules_changed: true }))).toBe(
			"Changed a segment's rules"
		);
		expect(describeTarget(seg({ name: 'Fans' }, null, 'delete'), names)).toBe('Fans');

		const auto = (before: object | null, after: object | null, op = 'update') =>
			entry({ action: `automations.${op}`, targetType: 'automations', before, after });
		const named = { name: 'Welcome series' };
		expect(describeAction(auto(null, { ...named, status: 'draft' }, 'insert'))).toBe(
			'Created an automation'
		);
		expect(
			describeAction(
				auto({ ...named, status: 'draft' }, { ...named, status: 'active', published: true })
			)
		).toBe('Activated an automation');
		expect(describeAction(auto({ status: 'active' }, { status: 'draft' }))).toBe(
			'Paused an automation'
		);
		expect(describeAction(auto({ status: 'draft' }, { status: 'archived' }))).toBe(
			'Archived an automation'
		);
		expect(describeAction(auto({ ...named, status: 'archived' }, null, 'delete'))).toBe(
			'Deleted an automation'
		);
		expect(
			changes(auto({ ...named, status: 'active' }, { ...named, status: 'draft' }), names)
		).toEqual([{ field: 'Status', before: 'Active', after: 'Paused' }]);
		expect(describeTarget(auto(named, named), names)).toBe('Welcome series');

		const hook = (after: object, op = 'update') =>
			entry({
				action: `webhook_subscriptions.${op}`,
				targetType: 'webhook_subscriptions',
				before: { host: 'hooks.example.com', enabled: true },
				after
			});
		expect(describeAction(hook({ host: 'hooks.example.com' }, 'insert'))).toBe('Added a webhook');
		expect(
			describeAction(hook({ host: 'hooks.example.com', enabled: true, secret_rotated: true }))
		).toBe("Rotated a webhook's signing secret");
		expect(describeTarget(hook({ host: 'hooks.example.com' }), names)).toBe(
			'Webhook to hooks.example.com'
		);

		const imp = (op: string, status: string) =>
			entry({
				action: `contact_imports.${op}`,
				targetType: 'contact_imports',
				after: { file_name: 'people.csv', status, inserted_rows: 1200 }
			});
		expect(describeAction(imp('started', 'queued'))).toBe('Started an import');
		expect(describeAction(imp('finished', 'completed'))).toBe('Finished an import');
		expect(describeAction(imp('finished', 'failed'))).toBe('An import failed');
		expect(describeTarget(imp('finished', 'completed'), names)).toBe('people.csv');

		const contact = (action: string, targetId: string | null, count?: number) =>
			entry({
				action,
				targetType: 'contact',
				targetId,
				before: count === undefined ? null : { count }
			});
		const id = '0b5e8f2a-1111-4222-8333-444455556666';
		expect(describeAction(contact('contact.erased', id))).toBe("Erased a contact's personal data");
		expect(describeTarget(contact('contact.erased', id), names)).toBe('Contact 0b5e8f2a');
		expect(describeAction(contact('contact.deleted', id, 1))).toBe('Deleted a contact');
		expect(describeAction(contact('contact.deleted', null, 1500))).toBe('Deleted contacts');
		expect(describeTarget(contact('contact.deleted', null, 1500), names)).toBe('1,500 contacts');
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
