// The audit log beyond tenancy: segments, automations, webhooks, imports and
// contact deletion/erasure each write one entry, with the actor, in the same
// transaction; set-based changes (an import, a bulk delete) write one entry,
// and nothing personal (names, addresses, webhook paths, secrets) is kept.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Definition } from '../../src/lib/automations/definition.ts';
import * as automations from '../../src/lib/server/automations/index.ts';
import * as contacts from '../../src/lib/server/contacts/index.ts';
import * as imports from '../../src/lib/server/imports/index.ts';
import * as segments from '../../src/lib/server/segments/index.ts';
import * as webhooks from '../../src/lib/server/webhooks/index.ts';
import type { ContactDeps } from '../../src/worker/contacts-deps.ts';
import { runContactImport } from '../../src/worker/contacts-import.ts';
import { createContactsWorld, type ContactsWorld } from './world.ts';

let w: ContactsWorld;
let dir: string;
beforeAll(async () => {
	w = await createContactsWorld();
	dir = await mkdtemp(join(tmpdir(), 'gd-audit-'));
});
afterAll(async () => {
	await w.cleanup();
	await rm(dir, { recursive: true, force: true });
});

type Row = {
	actor_id: string | null;
	action: string;
	target_id: string | null;
	before: Record<string, unknown> | null;
	after: Record<string, unknown> | null;
};
/** The entries about one kind of thing written since the given id, oldest first. */
async function entriesSince(since: number, targetType: string): Promise<Row[]> {
	return (await w.service((trx) =>
		trx
			.selectFrom('audit_log')
			.select(['actor_id', 'action', 'target_id', 'before', 'after'])
			.where('org_id', '=', w.orgA)
			.where('target_type', '=', targetType)
			.where('id', '>', since)
			.orderBy('id')
			.execute()
	)) as Row[];
}
const lastId = async () =>
	Number(
		(
			await w.service((trx) =>
				trx
					.selectFrom('audit_log')
					.select((eb) => eb.fn.max('id').as('id'))
					.executeTakeFirstOrThrow()
			)
		).id ?? 0
	);

it('segments: created, renamed, rules changed, deleted; the worker’s builds are not logged', async () => {
	const since = await lastId();
	const seg = await w.as('member', (trx) =>
		segments.createSegment(trx, w.orgA, {
			name: 'Subscribers',
			rules: {
				kind: 'group',
				match: 'all',
				rules: [{ kind: 'field', field: 'status', operator: 'equals', value: 'subscribed' }]
			}
		})
	);
	await w.as('member', (trx) => segments.updateSegment(trx, w.orgA, seg.id, { name: 'Fans' }));
	await w.as('admin', (trx) =>
		segments.updateSegment(trx, w.orgA, seg.id, {
			rules: {
				kind: 'group',
				match: 'all',
				rules: [{ kind: 'field', field: 'email', operator: 'contains', value: 'ada@x.test' }]
			}
		})
	);
	// A build (the worker) writes the count: no entry.
	await w.service((trx) =>
		trx.updateTable('segments').set({ cached_count: 3 }).where('id', '=', seg.id).execute()
	);
	await w.as('member', (trx) => segments.deleteSegment(trx, w.orgA, seg.id));
	const rows = await entriesSince(since, 'segments');
	expect(rows.map((r) => [r.action, r.actor_id])).toEqual([
		['segments.insert', w.users.member.id],
		['segments.update', w.users.member.id],
		['segments.update', w.users.admin.id],
		['segments.delete', w.users.member.id]
	]);
	expect(rows[1]).toMatchObject({
		target_id: seg.id,
		before: { name: 'Subscribers' },
		after: { name: 'Fans', rules_changed: false }
	});
	expect(rows[2]!.after).toMatchObject({ name: 'Fans', rules_changed: true });
	// The rules themselves (which may hold an address) are not copied.
	expect(JSON.stringify(rows)).not.toContain('ada@x.test');
});

it('automations: created, activated, paused, archived, deleted; draft saves are not logged', async () => {
	const tag = await w.as('member', (trx) => contacts.createTag(trx, w.orgA, { name: 'Newcomer' }));
	const definition: Definition = {
		trigger: { type: 'event', event: 'contact.created' },
		reentry: { mode: 'once' },
		start: 'tag',
		steps: [{ id: 'tag', name: 'Tag newcomer', type: 'add_tag', tagId: tag.id }]
	};
	const since = await lastId();
	const id = await w.as('member', (trx) =>
		automations.create(trx, w.orgA, { name: 'Welcome series' })
	);
	await w.as('member', (trx) => automations.update(trx, w.orgA, id, { draft: definition }));
	await w.as('admin', (trx) => automations.activate(trx, w.orgA, id, definition));
	await w.as('member', (trx) => automations.deactivate(trx, id, 'draft'));
	await w.as('member', (trx) => automations.deactivate(trx, id, 'archived'));
	await w.as('admin', (trx) => automations.remove(trx, w.orgA, id));
	const rows = await entriesSince(since, 'automations');
	expect(rows.map((r) => [r.action, r.actor_id, r.before?.status, r.after?.status])).toEqual([
		['automations.insert', w.users.member.id, undefined, 'draft'],
		['automations.update', w.users.admin.id, 'draft', 'active'],
		['automations.update', w.users.member.id, 'active', 'draft'],
		['automations.update', w.users.member.id, 'draft', 'archived'],
		['automations.delete', w.users.admin.id, 'archived', undefined]
	]);
	expect(rows[1]!.after).toMatchObject({ name: 'Welcome series', published: true });
});

it('webhooks: added, secret rotated, removed; only the host, never the secret or path', async () => {
	const since = await lastId();
	const sub = await w.as('admin', (trx) =>
		webhooks.createSubscription(trx, w.orgA, {
			url: 'https://hooks.example.com/T0KEN/abc?key=s3cret',
			eventTypes: ['contact.created']
		})
	);
	const secret = await w.as('admin', (trx) =>
		webhooks.rotateSubscriptionSecret(trx, w.orgA, sub.id)
	);
	await w.as('admin', (trx) => webhooks.removeSubscription(trx, w.orgA, sub.id));
	const rows = await entriesSince(since, 'webhook_subscriptions');
	expect(rows.map((r) => [r.action, r.actor_id])).toEqual([
		['webhook_subscriptions.insert', w.users.admin.id],
		['webhook_subscriptions.update', w.users.admin.id],
		['webhook_subscriptions.delete', w.users.admin.id]
	]);
	expect(rows[0]!.after).toMatchObject({ host: 'hooks.example.com' });
	expect(rows[1]!.after).toMatchObject({ secret_rotated: true, url_changed: false });
	const all = JSON.stringify(rows);
	for (const hidden of [secret, sub.secret, 'T0KEN', 's3cret']) expect(all).not.toContain(hidden);
});

it('imports: one entry when started and one when finished, whatever the row count', async () => {
	const deps: ContactDeps = {
		db: w.db,
		connectionString: w.testDb.url,
		store: new imports.LocalFileStore(dir)
	};
	const csv = ['email,first_name', ...Array.from({ length: 50 }, (_, i) => `p${i}@x.test,P${i}`)];
	const since = await lastId();
	const { job, suggestedMapping } = await w.as('member', (trx) =>
		imports.upload(trx, deps.store, w.orgA, {
			fileName: 'people.csv',
			data: Buffer.from(csv.join('\n'))
		})
	);
	await w.as('member', (trx) =>
		imports.start(trx, deps.store, w.orgA, job.id, {
			mapping: suggestedMapping,
			options: { skipInvalidRows: false, tagIds: [] }
		})
	);
	await runContactImport(deps, job.id);
	const rows = await entriesSince(since, 'contact_imports');
	expect(rows.map((r) => [r.action, r.actor_id, r.target_id])).toEqual([
		['contact_imports.started', w.users.member.id, job.id],
		// Written by the worker: the actor is who started it.
		['contact_imports.finished', w.users.member.id, job.id]
	]);
	expect(rows[1]!.after).toMatchObject({
		file_name: 'people.csv',
		status: 'completed',
		inserted_rows: 50
	});
});

it('contacts: an erasure and a deletion name the contact by id; a bulk delete is one entry', async () => {
	const make = (email: string) =>
		w.as('member', (trx) => contacts.create(trx, w.orgA, { email, firstName: 'Ada' }));
	const erased = await make('erase-me@x.test');
	const deleted = await make('delete-me@x.test');
	const since = await lastId();
	await w.as('member', (trx) => contacts.erase(trx, w.orgA, erased.id));
	await w.as('member', (trx) => contacts.remove(trx, w.orgA, deleted.id));
	// A bulk delete (the 50 imported): one entry with the count.
	await w.as('admin', (trx) =>
		trx
			.deleteFrom('contacts')
			.where('org_id', '=', w.orgA)
			.where('email', 'like', 'p%@x.test')
			.execute()
	);
	const rows = await entriesSince(since, 'contact');
	expect(rows.map((r) => [r.action, r.actor_id, r.target_id])).toEqual([
		['contact.erased', w.users.member.id, erased.id],
		['contact.deleted', w.users.member.id, deleted.id],
		['contact.deleted', w.users.admin.id, null]
	]);
	expect(rows[2]!.before).toEqual({ count: 50 });
	const all = JSON.stringify(rows);
	for (const personal of ['Ada', 'erase-me', 'delete-me']) expect(all).not.toContain(personal);
});
