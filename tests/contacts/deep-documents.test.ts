// JSON people can write through the API, around the app's forms (a segment's
// rules, an automation's draft, an import's options), is bounded in depth and
// size by the database and by the schemas; rows written before the bounds (or
// by a superuser) are shown with a message by the pages that read them, never
// a 500 or an overflowed stack, and the worker can still record why it cannot
// build such a segment.
import * as devalue from 'devalue';
import { sql } from 'kysely';
import { DatabaseError } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonDepth } from '../../src/lib/json-bounds.ts';
import * as orgs from '../../src/lib/server/orgs/index.ts';
import * as segments from '../../src/lib/server/segments/index.ts';
import { withRls } from '../../src/lib/server/db/rls.ts';
import { load as automationPage } from '../../src/routes/(app)/[org=slug]/automations/[id=uuid]/+page.server.ts';
import { load as importPage } from '../../src/routes/(app)/[org=slug]/imports/[id=uuid]/+page.server.ts';
import { POST as countSegment } from '../../src/routes/(app)/[org=slug]/segments/count/+server.ts';
import { load as segmentPage } from '../../src/routes/(app)/[org=slug]/segments/[id=uuid]/+page.server.ts';
import { load as segmentsPage } from '../../src/routes/(app)/[org=slug]/segments/+page.server.ts';
import { createContactsWorld, type ContactsWorld } from './world.ts';

let w: ContactsWorld;
let slug: string;

const condition = { kind: 'field', field: 'email', operator: 'is_set' };

/**
 * A rule tree of `levels` groups, each holding the next, as JSON text: built
 * as text because JSON.stringify itself overflows the stack thousands deep.
 */
function deepRulesJson(levels: number): string {
	const open = '{"kind":"group","match":"all","rules":[';
	return open.repeat(levels) + JSON.stringify(condition) + ']}'.repeat(levels);
}
const deepRules = (levels: number) => JSON.parse(deepRulesJson(levels)) as Record<string, unknown>;

/** JSON nested `levels` deep: [[[…]]]. */
const deepArrayJson = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
const deepArray = (levels: number): unknown => JSON.parse(deepArrayJson(levels));

async function refusal(promise: Promise<unknown>): Promise<DatabaseError> {
	const error: unknown = await promise.then(
		() => null,
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(DatabaseError);
	return error as DatabaseError;
}

/** Writes as a superuser can, around a bound (its trigger disabled meanwhile). */
async function aroundBound(table: string, trigger: string, write: () => Promise<unknown>) {
	await sql.raw(`alter table public.${table} disable trigger ${trigger}`).execute(w.db);
	try {
		await write();
	} finally {
		await sql.raw(`alter table public.${table} enable trigger ${trigger}`).execute(w.db);
	}
}

/** What SvelteKit hands a page's load (the parts these loads read). */
async function pageEvent(params: Record<string, string>) {
	const user = w.users.admin;
	const org = (await w.as('admin', (trx) => orgs.findBySlug(trx, slug, user.id)))!;
	const permissions = await w.as('admin', (trx) => orgs.permissionsOf(trx, org.id, user.id));
	return {
		params: { org: slug, ...params },
		url: new URL(`http://app.test/${slug}`),
		locals: {
			user: { id: user.id, email: '' },
			db: <T>(fn: (trx: never) => Promise<T>) => withRls(w.db, w.claims('admin'), fn as never)
		},
		parent: () => Promise.resolve({ org, permissions })
	} as never;
}

beforeAll(async () => {
	w = await createContactsWorld();
	const { rows } = await sql<{ slug: string }>`
		select slug from public.organizations where id = ${w.orgA}`.execute(w.db);
	slug = rows[0]!.slug;
});
afterAll(() => w.cleanup());

describe('the database refuses deep documents from the API roles', () => {
	it('a rule tree 5,000 deep, written as authenticated', async () => {
		const error = await refusal(
			w.as('member', (trx) =>
				trx
					.insertInto('segments')
					.values({ org_id: w.orgA, name: 'Deep', rules: deepRulesJson(5000) })
					.execute()
			)
		);
		expect(error.code).toBe('23514');
		expect(error.constraint).toBe('segments_rules_bounds');
	});

	it('automation drafts and import options too; documents the app writes pass', async () => {
		const automation = await refusal(
			w.as('admin', (trx) =>
				trx
					.insertInto('automations')
					.values({ org_id: w.orgA, name: 'Deep', draft: JSON.stringify({ steps: deepArray(40) }) })
					.execute()
			)
		);
		expect(automation.constraint).toBe('automations_draft_bounds');
		const options = await refusal(
			w.as('admin', (trx) =>
				trx
					.insertInto('contact_imports')
					.values({
						org_id: w.orgA,
						file_name: 'deep.csv',
						options: JSON.stringify({ tagIds: deepArray(10) })
					})
					.execute()
			)
		);
		expect(options.constraint).toBe('contact_imports_options_bounds');
		const fine = await w.as('member', (trx) =>
			segments.createSegment(trx, w.orgA, { name: 'Five deep', rules: deepRules(5) })
		);
		expect(fine.rules).toEqual(deepRules(5));
	});

	it('measures depth as the app does', async () => {
		for (const value of [1, {}, deepArray(1), deepRules(5), { a: [{ b: deepArray(6) }] }]) {
			const { rows } = await sql<{ within: boolean; below: boolean }>`
				select private.jsonb_depth_within(${JSON.stringify(value)}::jsonb, ${jsonDepth(value)}) as within,
				       private.jsonb_depth_within(${JSON.stringify(value)}::jsonb, ${jsonDepth(value) - 1}) as below`.execute(
				w.db
			);
			expect(rows[0]).toEqual({ within: true, below: false });
		}
	});
});

describe('the schemas refuse them with a clear message', () => {
	it('a rule tree 5,000 deep', async () => {
		const ctx = await w.as('viewer', (trx) => segments.builderContext(trx, w.orgA));
		expect(ctx).toBeTruthy();
		const parsed = segments.rootRuleSchema.safeParse(deepRules(5000));
		expect(parsed.success).toBe(false);
		expect(parsed.error!.issues.map((i) => i.message)).toEqual(['Groups nest at most 5 deep.']);
		await expect(
			w.as('member', (trx) =>
				segments.createSegment(trx, w.orgA, { name: 'D', rules: deepRules(5000) })
			)
		).rejects.toThrow('the rule tree: Groups nest at most 5 deep.');
	});

	it('rules longer than the form allows', () => {
		const long = {
			kind: 'group',
			match: 'any',
			rules: Array.from({ length: 50 }, () => ({
				kind: 'field',
				field: 'email',
				operator: 'in',
				value: Array.from({ length: 20 }, () => 'x'.repeat(400))
			}))
		};
		const parsed = segments.rootRuleSchema.safeParse(long);
		expect(parsed.error?.issues.map((i) => i.message)).toEqual([
			'The rules are too long (at most 200,000 characters).'
		]);
	});
});

describe('rows stored before the bounds: pages show a message, never a 500', () => {
	let segmentId: string;
	let automationId: string;
	let importId: string;

	beforeAll(async () => {
		await aroundBound('segments', 'segments_rules_bounds', async () => {
			const { rows } = await sql<{ id: string }>`
				insert into public.segments (org_id, name, rules)
				values (${w.orgA}, 'Written around the app', ${deepRulesJson(5000)}::jsonb)
				returning id`.execute(w.db);
			segmentId = rows[0]!.id;
		});
		await aroundBound('automations', 'automations_draft_bounds', async () => {
			const { rows } = await sql<{ id: string }>`
				insert into public.automations (org_id, name, draft)
				values (${w.orgA}, 'Deep draft', ${`{"trigger":{"filter":${deepRulesJson(5000)}}}`}::jsonb)
				returning id`.execute(w.db);
			automationId = rows[0]!.id;
		});
		await aroundBound('contact_imports', 'contact_imports_options_bounds', async () => {
			const { rows } = await sql<{ id: string }>`
				insert into public.contact_imports (org_id, file_name, headers, options)
				values (${w.orgA}, 'deep.csv', '{email}', ${`{"tagIds":${deepArrayJson(5000)}}`}::jsonb)
				returning id`.execute(w.db);
			importId = rows[0]!.id;
		});
	});

	it("the segment page: its rules can't be displayed, the builder starts empty", async () => {
		const data = (await segmentPage(await pageEvent({ id: segmentId }))) as {
			segment: segments.Segment;
			form: { data: { rules: string } };
		};
		expect(data.segment.rules).toBeNull();
		expect(data.form.data.rules).toBe('');
		expect(() => devalue.stringify(data)).not.toThrow();
		const list = (await segmentsPage(await pageEvent({}))) as { segments: unknown[] };
		expect(() => devalue.stringify(list)).not.toThrow();
	});

	it('the live count answers 422 with the reason', async () => {
		const event = await pageEvent({});
		const response = await countSegment({
			...(event as object),
			request: new Request('http://app.test/count', {
				method: 'POST',
				body: `{"rules":${deepRulesJson(5000)}}`
			})
		} as never);
		expect(response.status).toBe(422);
		expect(await response.json()).toMatchObject({
			message: 'the rule tree: Groups nest at most 5 deep.'
		});
	});

	it('the membership build records the problem on the segment', async () => {
		const result = await w.service((trx) => segments.refresh(trx, segmentId));
		expect(result).toEqual({
			status: 'invalid',
			error: 'the rule tree: Groups nest at most 5 deep.'
		});
	});

	it("the automation page: its draft can't be displayed", async () => {
		const data = (await automationPage(await pageEvent({ id: automationId }))) as {
			automation: { draft: unknown; draftUnreadable: boolean };
		};
		expect(data.automation).toMatchObject({ draft: {}, draftUnreadable: true });
		expect(() => devalue.stringify(data)).not.toThrow();
	});

	it("the import page: its settings can't be displayed and are chosen again", async () => {
		const data = (await importPage(await pageEvent({ id: importId }))) as {
			job: { options: unknown; settingsUnreadable: boolean };
		};
		expect(data.job).toMatchObject({ settingsUnreadable: true });
		expect(() => devalue.stringify(data)).not.toThrow();
	});
});
