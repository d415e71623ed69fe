// What the contacts, segments and imports routes share at their edge, against
// a real database under RLS: downloads streamed inside one RLS transaction
// (a refusal is an ordinary 403 before any byte, a reader that leaves rolls
// back), domain errors as form failures on the right field, tags named by
// people (ensureTags), and the export of a segment narrowed by filters.
import { sql } from 'kysely';
import { superValidate } from 'sveltekit-superforms';
import { zod4 } from 'sveltekit-superforms/adapters';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as contacts from '../../src/lib/server/contacts/index.ts';
import { withRls, type Trx } from '../../src/lib/server/db/index.ts';
import * as imports from '../../src/lib/server/imports/index.ts';
import * as segments from '../../src/lib/server/segments/index.ts';
import {
	describeError,
	failWith,
	streamInTransaction
} from '../../src/routes/(app)/[org=slug]/contacts/respond.server.ts';
import type { Persona } from '../helpers/tenancy.ts';
import { createContactsWorld, type ContactsWorld } from '../contacts/world.ts';

let w: ContactsWorld;
let segmentId: string;

/** `locals.db` of a request by this persona. */
const dbOf =
	(persona: Persona) =>
	<T>(fn: (trx: Trx) => Promise<T>) =>
		withRls(w.db, w.claims(persona), fn);

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
	return new Response(stream).text();
}

beforeAll(async () => {
	w = await createContactsWorld();
	await w.as('admin', async (trx) => {
		await contacts.createField(trx, w.orgA, { key: 'score', label: 'Score', type: 'number' });
		for (const [first, score] of [
			['Ada', 92],
			['Alan', 40],
			['Grace', 75]
		] as const)
			await contacts.create(trx, w.orgA, {
				email: `${first.toLowerCase()}@r.test`,
				firstName: first,
				custom: { score }
			});
		const segment = await segments.createSegment(trx, w.orgA, {
			name: 'High scores',
			rules: {
				kind: 'group',
				match: 'all',
				rules: [{ kind: 'field', field: 'custom.score', operator: 'greater_than', value: 50 }]
			}
		});
		segmentId = segment.id;
	});
	await w.service((trx) => segments.refresh(trx, segmentId));
});
afterAll(() => w.cleanup());

describe('streamInTransaction', () => {
	it('streams an export of a segment narrowed by a search, recording both', async () => {
		const stream = await streamInTransaction(dbOf('admin'), (trx) =>
			imports.exportCsv(trx, w.orgA, { segmentId, search: 'grace' })
		);
		const csv = await text(stream);
		const lines = csv.trim().split('\n');
		expect(lines[0]).toBe(
			'Email,Phone,First name,Last name,Company,Status,Source,Created at,Score,Tags'
		);
		expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['grace@r.test']);
		const { rows } = await sql<{ segment_id: string; filter: unknown; row_count: number }>`
			select segment_id, filter, row_count from public.contact_exports order by created_at desc limit 1`.execute(
			w.db
		);
		expect(rows[0]).toMatchObject({
			segment_id: segmentId,
			filter: { search: 'grace' },
			row_count: 1
		});
	});

	it('refuses before the first byte when the person may not export', async () => {
		const attempt = streamInTransaction(dbOf('viewer'), (trx) =>
			imports.exportCsv(trx, w.orgA, {})
		);
		const error = await attempt.then(
			() => null,
			(e: unknown) => e
		);
		expect(describeError(error)).toMatchObject({ status: 403 });
	});

	it('rolls back when the reader goes away', async () => {
		const before = await exportsCount();
		let reachedEnd = false;
		const stream = await streamInTransaction(dbOf('admin'), (trx) =>
			(async function* () {
				await trx.insertInto('tags').values({ org_id: w.orgA, name: 'Half-way' }).execute();
				yield 'first\n';
				yield 'second\n';
				reachedEnd = true;
			})()
		);
		const reader = stream.getReader();
		await reader.read();
		await reader.cancel();
		await new Promise((r) => setTimeout(r, 50));
		expect(reachedEnd).toBe(false);
		const tags = await w.as('admin', (trx) => contacts.listTags(trx, w.orgA));
		expect(tags.map((t) => t.name)).not.toContain('Half-way');
		expect(await exportsCount()).toBe(before);
	});
});

async function exportsCount(): Promise<number> {
	const { rows } = await sql<{
		n: number;
	}>`select count(*)::int as n from public.contact_exports`.execute(w.db);
	return rows[0]!.n;
}

describe('failWith', () => {
	const schema = z.object({ cf_score: z.string(), name: z.string() });
	const form = () => superValidate({ cf_score: '', name: '' }, zod4(schema), { errors: false });

	it('puts a custom field error on its input', async () => {
		const failure = failWith(
			await form(),
			new contacts.ContactFieldError('custom.score', 'Score expects a number.'),
			{
				'custom.score': 'cf_score'
			}
		);
		expect(failure.status).toBe(422);
		expect(failure.data.form.errors.cf_score).toEqual(['Score expects a number.']);
	});

	it('shows a rule error above the form, and a taken name on the name', async () => {
		const ruleError = await w
			.as('admin', (trx) =>
				segments.createSegment(trx, w.orgA, {
					name: 'Bad',
					rules: {
						kind: 'group',
						match: 'all',
						rules: [{ kind: 'field', field: 'custom.gone', operator: 'is_set' }]
					}
				})
			)
			.catch((e: unknown) => e);
		const failure = failWith(await form(), ruleError);
		expect(failure.status).toBe(422);
		expect(failure.data.form.message?.text).toMatch(/custom field "gone", which does not exist/);

		const taken = await w
			.as('admin', (trx) =>
				segments.createSegment(trx, w.orgA, {
					name: 'High scores',
					rules: { kind: 'group', match: 'all', rules: [] }
				})
			)
			.catch((e: unknown) => e);
		const conflict = failWith(await form(), taken);
		expect(conflict.status).toBe(409);
		expect(conflict.data.form.errors.name).toEqual(['That name is already taken.']);
	});

	it('rethrows what it does not know', async () => {
		const f = await form();
		expect(() => failWith(f, new TypeError('boom'))).toThrow('boom');
	});
});

describe('ensureTags', () => {
	it('creates the missing tags and finds existing ones whatever their case', async () => {
		const first = await w.as('member', (trx) => contacts.ensureTags(trx, w.orgA, ['VIP', 'Press']));
		const again = await w.as('member', (trx) =>
			contacts.ensureTags(trx, w.orgA, ['vip', ' Press ', 'New one'])
		);
		expect(again.map((t) => t.name).sort()).toEqual(['New one', 'Press', 'VIP']);
		expect(again.find((t) => t.name === 'VIP')?.id).toBe(first.find((t) => t.name === 'VIP')?.id);
	});

	it('is refused to a viewer', async () => {
		const error = await w
			.as('viewer', (trx) => contacts.ensureTags(trx, w.orgA, ['Sneaky']))
			.catch((e: unknown) => e);
		expect(describeError(error)).toMatchObject({ status: 403 });
	});
});
