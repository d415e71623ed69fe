// The role pickers on the members and invitations pages offer only what the person may
// grant (the database refuses the rest: tests/tenancy/privilege-escalation.test.ts).
import { describe, expect, it } from 'vitest';
import { roleOptions } from '../../src/lib/role-options.ts';

const base = {
	owner: ['org.delete', 'members.manage', 'contacts.write'],
	admin: ['members.manage', 'contacts.write'],
	member: ['contacts.write'],
	viewer: []
};
const disabled = (options: ReturnType<typeof roleOptions>) =>
	options.filter((o) => o.disabled).map((o) => o.value);

describe('roleOptions', () => {
	it('a viewer holding only members.manage may hand out viewer alone', () => {
		expect(disabled(roleOptions(false, base, ['members.manage']))).toEqual([
			'owner',
			'admin',
			'member'
		]);
	});

	it('an admin may hand out every role but owner', () => {
		expect(disabled(roleOptions(false, base, base.admin))).toEqual(['owner']);
	});

	it("keeps the member's current role selectable", () => {
		expect(disabled(roleOptions(false, base, ['members.manage'], 'member'))).toEqual([
			'owner',
			'admin'
		]);
	});

	it('names why a role is unavailable', () => {
		const admin = roleOptions(false, base, ['members.manage']).find((o) => o.value === 'admin');
		expect(admin?.label).toBe('Admin (has permissions you do not)');
	});
});
