// Privacy and exports: erasure removes personal data but keeps a tombstone, an
// audit entry and a timeline without payloads; one contact's data exports as
// JSON (contacts.export only); every sender asks canSend; CSV exports stream a
// filtered view, are recorded, and need contacts.export.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as contacts from '../../src/lib/server/contacts/index.ts';
import { mapDbError } from '../../src/lib/server/db/errors.ts';
import * as imports from '../../src/lib/server/imports/index.ts';
import { createContactsWorld, type ContactsWorld } from './world.ts';

let w: ContactsWorld;
let ada: contacts.Contact;
let tagId: string;

beforeAll(async () => {
	w = await createContactsWorld();
	await w.as('member', async (trx) => {
		await contacts.createField(trx, w.orgA, {
			key: 'plan',
			label: 'Plan',
			type: 'select',
			options: ['free', 'pro']
		});
		ada = await contacts.create(trx, w.orgA, {
			email: 'ada@p.test',
			phone: '+44 20 7946 0000',
			firstName: 'Ada',
			lastName: 'Lovelace',
			custom: { plan: 'pro' }
		});
		tagId = (await contacts.createTag(trx, w.orgA, { name: 'vip' })).id;
		await contacts.addTags(trx, w.orgA, [ada.id], [tagId]);
		await contacts.create(trx, w.orgA, {
			email: 'eve@p.test',
			firstName: '=HYPERLINK("x")',
			custom: { plan: 'free' }
		});
	});
});
afterAll(() => w.cleanup());

describe('canSend', () => {
	it('follows status, consent, phone and erasure', async () => {
		const can = (channel: contacts.Channel) =>
			w.as('viewer', (trx) => contacts.canSend(trx, ada.id, channel));
		expect(await can('email')).toBe(true);
		// SMS and WhatsApp need an explicit grant.
		expect(await can('sms')).toBe(false);
		await w.as('member', (trx) =>
			contacts.recordConsent(trx, w.orgA, ada.id, {
				channel: 'sms',
				status: 'granted',
				source: 'form'
			})
		);
		expect(await can('sms')).toBe(true);
		// Withdrawing email consent unsubscribes.
		await w.as('member', (trx) =>
			contacts.recordConsent(trx, w.orgA, ada.id, {
				channel: 'email',
				status: 'withdrawn',
				source: 'link'
			})
		);
		expect(await can('email')).toBe(false);
		expect((await w.as('viewer', (trx) => contacts.get(trx, w.orgA, ada.id))).status).toBe(
			'unsubscribed'
		);
		expect(await w.as('viewer', (trx) => contacts.sendable(trx, [ada.id], 'sms'))).toEqual([
			ada.id
		]);
		// Someone else's contact is never sendable.
		expect(await w.as('outsider', (trx) => contacts.canSend(trx, ada.id, 'sms'))).toBe(false);
	});
});

describe('data export (access request)', () => {
	it('needs contacts.export', async () => {
		await expect(
			w.as('member', (trx) => contacts.exportData(trx, w.orgA, ada.id))
		).rejects.toBeInstanceOf(contacts.ContactPermissionError);
	});

	it('gives the contact, custom fields, tags, consent and events as JSON', async () => {
		const data = await w.as('admin', (trx) => contacts.exportData(trx, w.orgA, ada.id));
		expect(data.contact).toMatchObject({ email: 'ada@p.test', firstName: 'Ada' });
		expect(data.customFields).toEqual([{ key: 'plan', label: 'Plan', value: 'pro' }]);
		expect(data.tags).toEqual(['vip']);
		expect(data.consent.map((c) => `${c.channel}:${c.status}`)).toEqual([
			'sms:granted',
			'email:withdrawn'
		]);
		expect(data.events.map((e) => e.type)).toContain('contact.created');
		expect(JSON.parse(JSON.stringify(data))).toEqual(data);
	});
});

describe('erasure', () => {
	it('a viewer cannot erase (as if the contact did not exist)', async () => {
		const error = await w
			.as('viewer', (trx) => contacts.erase(trx, w.orgA, ada.id))
			.catch((e: unknown) => e);
		expect(mapDbError(error)?.status).toBe(404);
	});

	it('removes personal data, keeps a tombstone, the audit entry and an emptied timeline', async () => {
		await w.as('member', (trx) => contacts.erase(trx, w.orgA, ada.id));
		const tomb = await w.as('viewer', (trx) => contacts.get(trx, w.orgA, ada.id));
		expect(tomb).toMatchObject({
			email: null,
			phone: null,
			firstName: null,
			lastName: null,
			company: null,
			custom: {},
			status: 'unsubscribed'
		});
		expect(tomb.erasedAt).not.toBeNull();
		const audit = await w.as('admin', (trx) =>
			trx
				.selectFrom('audit_log')
				.select(['action', 'actor_id', 'before', 'after'])
				.where('target_id', '=', ada.id)
				.execute()
		);
		expect(audit).toMatchObject([
			{ action: 'contact.erased', actor_id: w.users.member.id, before: null }
		]);
		const timeline = await w.as('viewer', (trx) => contacts.timeline(trx, w.orgA, ada.id));
		expect(timeline.items.map((e) => e.type)).toContain('contact.erased');
		expect(JSON.stringify(timeline.items)).not.toMatch(/ada|Lovelace|form|link|vip/i);
		const detail = await w.as('viewer', (trx) => contacts.detail(trx, w.orgA, ada.id));
		expect(detail.tags).toEqual([]);
		expect(detail.canSend).toEqual({ email: false, sms: false, whatsapp: false });
		// Not searchable, not listed, not editable.
		expect(
			(await w.as('viewer', (trx) => contacts.list(trx, w.orgA, { search: 'lovelace' }))).items
		).toEqual([]);
		const edit = await w
			.as('member', (trx) => contacts.update(trx, w.orgA, ada.id, { firstName: 'Back' }))
			.catch((e: unknown) => e);
		expect(mapDbError(edit)?.status).toBe(403);
	});
});

describe('CSV export', () => {
	const exportAll = (persona: 'admin' | 'member', source: imports.ExportSource) =>
		w.as(persona, async (trx) => {
			let csv = '';
			for await (const chunk of imports.exportCsv(trx, w.orgA, source)) csv += chunk;
			return csv;
		});

	it('streams a filtered view with custom fields and tags, defusing formulas, and records it', async () => {
		const csv = await exportAll('admin', {
			rules: {
				kind: 'group',
				match: 'all',
				rules: [{ kind: 'field', field: 'custom.plan', operator: 'equals', value: 'free' }]
			}
		});
		const [header, row, end] = csv.split('\n');
		expect(header).toBe(
			'Email,Phone,First name,Last name,Company,Status,Source,Created at,Plan,Tags'
		);
		expect(row).toMatch(/^eve@p\.test,,"'=HYPERLINK\(""x""\)",,,subscribed,manual,[^,]+,free,$/);
		expect(end).toBe('');
		const recorded = await w.as('admin', (trx) =>
			trx.selectFrom('contact_exports').select(['row_count', 'completed_at']).execute()
		);
		expect(recorded).toMatchObject([{ row_count: 1 }]);
	});

	it('needs contacts.export', async () => {
		const error = await exportAll('member', { status: 'subscribed' }).catch((e: unknown) => e);
		expect(mapDbError(error)?.status).toBe(403);
	});
});
