// Saved secrets: every member reads automations, their definitions and run
// records, so an HTTP step's API key lives in automation_secrets, whose value no
// API role can read back, and definitions only name it ({{secret:NAME}}). The
// database refuses a definition with a literal value in a header that may hold
// a secret, whoever writes it.
import { sql } from 'kysely';
import { DatabaseError } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Definition } from '../../src/lib/automations/definition.ts';
import { validateGraph } from '../../src/lib/automations/validate.ts';
import { mapDbError } from '../../src/lib/server/db/errors.ts';
import { withRls } from '../../src/lib/server/db/rls.ts';
import { pgError } from '../helpers/errors.ts';
import type { Persona } from '../helpers/tenancy.ts';
import { engineWorld, publish, type EngineWorld } from './helpers.ts';

const VALUE = 'sk_live_never_shown_5e8f';

let w: EngineWorld;
beforeAll(async () => {
	w = await engineWorld();
	await withRls(w.world.db, w.world.claims('admin'), (trx) =>
		trx
			.insertInto('automation_secrets')
			.values({ org_id: w.world.orgA, name: 'crm_key', value: VALUE })
			.execute()
	);
	await publish(w, callWith({ Authorization: 'Bearer {{secret:crm_key}}' }));
});
afterAll(async () => {
	await w.close();
});

function callWith(headers: Record<string, string>): Definition {
	return {
		trigger: { type: 'event', event: 'contact.created' },
		reentry: { mode: 'every_time' },
		start: 'call',
		steps: [
			{
				id: 'call',
				name: 'Tell the CRM',
				type: 'http_request',
				method: 'POST',
				url: 'https://crm.example.test/hook',
				headers,
				next: null
			}
		]
	};
}

describe('a saved secret', () => {
	it.each<Persona>(['viewer', 'member', 'admin', 'owner'])(
		'has a value that %s cannot read from any table',
		async (persona) => {
			const found = await withRls(w.world.db, w.world.claims(persona), async (trx) => {
				// Every table and column of the exposed schema this persona may select.
				const { rows: columns } = await sql<{ table: string; columns: string[] }>`
					select c.relname as table, array_agg(a.attname::text order by a.attnum) as columns
					  from pg_class c
					  join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
					  join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
					 where c.relkind in ('r', 'p', 'v', 'm')
					   and has_column_privilege(current_user, c.oid, a.attnum, 'SELECT')
					 group by c.relname`.execute(trx);
				expect(columns.map((c) => c.table)).toContain('automation_secrets');
				const texts: string[] = [];
				for (const { table, columns: names } of columns) {
					const list = sql.join(names.map((n) => sql.ref(n)));
					const { rows } = await sql<{ row: string }>`
						select row(${list})::text as row from ${sql.table(`public.${table}`)}`.execute(trx);
					texts.push(...rows.map((r) => r.row));
				}
				return texts.join('\n');
			});
			expect(found).toContain('crm_key');
			expect(found).toContain('Bearer {{secret:crm_key}}');
			expect(found).not.toContain(VALUE);
		}
	);

	it.each<Persona>(['viewer', 'member', 'admin'])(
		'is refused to %s who selects the value column',
		async (persona) => {
			const error = await withRls(w.world.db, w.world.claims(persona), (trx) =>
				sql`select value from public.automation_secrets`.execute(trx)
			).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(DatabaseError);
			expect(error).toMatchObject({ code: '42501' });
		}
	);

	it('can be replaced by an automation editor, not by a viewer', async () => {
		const change = (persona: Persona) =>
			withRls(w.world.db, w.world.claims(persona), (trx) =>
				trx
					.updateTable('automation_secrets')
					.set({ value: `${VALUE}_2` })
					.where('name', '=', 'crm_key')
					.executeTakeFirst()
			);
		expect((await change('viewer')).numUpdatedRows).toBe(0n);
		expect((await change('member')).numUpdatedRows).toBe(1n);
	});
});

describe('a literal header value', () => {
	it('is refused in a draft saved through the API', async () => {
		const error = await withRls(w.world.db, w.world.claims('member'), (trx) =>
			trx
				.insertInto('automations')
				.values({
					org_id: w.world.orgA,
					name: 'Leaky',
					draft: JSON.stringify(callWith({ Authorization: 'Bearer sk_live_literal' }))
				})
				.execute()
		).catch((e: unknown) => e);
		expect(error).toMatchObject(pgError('23514', 'header_needs_secret'));
		expect(mapDbError(error)).toMatchObject({ status: 422, field: 'draft' });
	});

	it('is refused to the service role and in a published version, at any depth', async () => {
		const client = await w.pool.connect();
		try {
			const { rows } = await client.query<{ id: string }>(
				`insert into public.automations (org_id, name) values ($1, 'Service') returning id`,
				[w.world.orgA]
			);
			const id = rows[0]!.id;
			await client.query('begin');
			await client.query('set local role service_role');
			const attempts = [
				[
					`update public.automations set draft = $2 where id = $1`,
					callWith({ 'X-Api-Key': 'sk_live_literal' })
				],
				[
					`insert into public.automation_versions (org_id, automation_id, version, definition)
					 values ((select org_id from public.automations where id = $1), $1, 7, $2)`,
					{ wrapped: [{ deeper: callWith({ authorization: '{{secret:crm_key}} sk_live' }) }] }
				]
			] as const;
			for (const [text, definition] of attempts) {
				await client.query('savepoint attempt');
				const error = await client
					.query(text, [id, JSON.stringify(definition)])
					.catch((e: unknown) => e);
				expect(error).toMatchObject(pgError('23514', 'header_needs_secret'));
				await client.query('rollback to savepoint attempt');
			}
			await client.query('rollback');
		} finally {
			client.release();
		}
	});

	it('is allowed for a plain header such as Content-Type', async () => {
		await publish(
			w,
			callWith({
				'Content-Type': 'application/json',
				Accept: 'text/plain',
				'X-Key': '{{secret:crm_key}}'
			})
		);
	});
});

describe('validation', () => {
	it('reports an unknown secret and a literal value by header', () => {
		const { errors } = validateGraph(
			callWith({ Authorization: 'Bearer {{secret:gone}}', 'X-Api-Key': 'sk_literal' }),
			{ secrets: new Set(['crm_key']) }
		);
		expect(errors.map((e) => [e.path, e.message])).toEqual([
			[
				'steps.0.headers.Authorization',
				'Step "Tell the CRM": the saved secret "gone" does not exist (deleted?).'
			],
			['steps.0.headers.X-Api-Key', expect.stringContaining('may only use a saved secret')]
		]);
		expect(
			validateGraph(callWith({ Authorization: 'Bearer {{secret:crm_key}}' }), {
				secrets: new Set(['crm_key'])
			}).errors
		).toEqual([]);
	});
});
