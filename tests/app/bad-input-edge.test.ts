// Bad input is a 4xx at the edge, never a 500: what the request hook refuses
// (NUL characters, form bodies that do not parse), headers and query strings
// read with a 400 for garbage, and the Postgres errors bad input causes
// (raised by a real Postgres) mapped to a 4xx. The route fuzz
// (tests/e2e/no-500-on-bad-input.spec.ts) proves it across every route.
import { isHttpError } from '@sveltejs/kit';
import pg from 'pg';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapDbError } from '../../src/lib/server/db/index.ts';
import * as http from '../../src/lib/server/http/index.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const post = (body: BodyInit, type: string) =>
	new Request('http://app.test/acme?/save', {
		method: 'POST',
		body,
		headers: { 'content-type': type }
	});

/** The status and message of the HttpError `fn` throws. */
function thrown(fn: () => unknown): { status: number; message: string } {
	try {
		fn();
	} catch (e) {
		if (isHttpError(e)) return { status: e.status, message: e.body.message };
		throw e;
	}
	throw new Error('nothing was thrown');
}

describe('the request hook refuses', () => {
	it('a NUL character in the path or in a query parameter, naming the parameter', () => {
		expect(http.urlProblem(new URL('http://app.test/acme/contacts?q=ada'))).toBeNull();
		expect(http.urlProblem(new URL('http://app.test/invitations/%00'))).toMatch(/NUL/);
		expect(http.urlProblem(new URL('http://app.test/acme/contacts?sort=name&q=a%00b'))).toMatch(
			/"q" contains a NUL/
		);
		// A malformed path is left to SvelteKit, which answers 400 itself.
		expect(http.urlProblem(new URL('http://app.test/%E0%A4%A'))).toBeNull();
	});

	it('a NUL character in a form field (urlencoded or multipart, name or value), naming the field', async () => {
		expect(
			await http.formProblem(
				post('name=Ada&email=ada%40x.test', 'application/x-www-form-urlencoded')
			)
		).toBeNull();
		expect(
			await http.formProblem(post('name=Ada&lastName=a%00b', 'application/x-www-form-urlencoded'))
		).toMatch(/field "lastName" contains a NUL/);
		const data = new FormData();
		data.set('note', 'fine');
		data.set('file', new File(['email\n'], 'a\u0000.csv'));
		expect(
			await http.formProblem(new Request('http://app.test/', { method: 'POST', body: data }))
		).toMatch(/field "file" contains a NUL/);
	});

	it('a form body that does not parse, and leaves a good one for the route to read', async () => {
		const truncated = '--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nAda';
		expect(await http.formProblem(post(truncated, 'multipart/form-data; boundary=b'))).toMatch(
			/could not be read/
		);
		expect(await http.formProblem(post('name=Ada', 'multipart/form-data'))).toMatch(
			/could not be read/
		);
		const good = post('name=Ada', 'application/x-www-form-urlencoded');
		expect(await http.formProblem(good)).toBeNull();
		expect((await good.formData()).get('name')).toBe('Ada');
		// Not a form: the route reads it (JSON, an upload's bytes).
		expect(await http.formProblem(post('{"rules":', 'application/json'))).toBeNull();
	});

	it('with the shape use:enhance expects, or SvelteKit’s own error', async () => {
		const enhanced = http.refuse(
			{
				request: new Request('http://app.test/', {
					method: 'POST',
					headers: { 'x-sveltekit-action': 'true' }
				})
			} as never,
			'The field "name" contains a NUL character.'
		);
		expect(enhanced.status).toBe(400);
		expect(await enhanced.json()).toEqual({
			type: 'error',
			error: { message: 'The field "name" contains a NUL character.' }
		});
		const plain = { request: new Request('http://app.test/', { method: 'POST' }) } as never;
		expect(thrown(() => http.refuse(plain, 'Bad.'))).toEqual({ status: 400, message: 'Bad.' });
	});
});

describe('headers and query strings', () => {
	const withName = (value: string) =>
		new Request('http://app.test/', { method: 'POST', headers: { 'x-file-name': value } });

	it('decodes a percent-encoded file name; garbage or a NUL is a 400 naming the header', () => {
		expect(http.decodedHeader(withName('Caf%C3%A9%20list.csv'), 'x-file-name')).toBe(
			'Café list.csv'
		);
		expect(thrown(() => http.decodedHeader(withName('%E0%A4%A.csv'), 'x-file-name'))).toEqual({
			status: 400,
			message: 'The x-file-name header is not valid percent-encoding.'
		});
		expect(thrown(() => http.decodedHeader(withName('a%00b.csv'), 'x-file-name')).status).toBe(400);
	});

	it('reads a query with a schema; a value it refuses (a 300-character cursor) is a 400 naming it', () => {
		const schema = z.object({ after: z.string().max(200).optional() });
		expect(http.parseQuery(schema, { after: 'abc' })).toEqual({ after: 'abc' });
		const refused = thrown(() => http.parseQuery(schema, { after: 'A'.repeat(300) }));
		expect(refused.status).toBe(400);
		expect(refused.message).toMatch(/^The address parameter "after" is not valid/);
	});
});

describe('Postgres errors caused by bad input are 4xx', () => {
	let database: TestDatabase;
	let client: pg.Client;
	const failure = (text: string, values: unknown[] = []) =>
		client.query(text, values).then(
			() => {
				throw new Error(`expected ${text} to fail`);
			},
			(e: unknown) => e
		);

	beforeAll(async () => {
		database = await createTestDatabase();
		client = new pg.Client({ connectionString: database.url });
		await client.connect();
	});
	afterAll(async () => {
		await client?.end();
		await database?.drop();
	});

	it('a NUL byte in text (22021) and \\u0000 in jsonb read as text (22P05)', async () => {
		const nul = await failure('select $1::text', ['a\u0000b']);
		expect(nul).toMatchObject({ code: '22021' });
		expect(mapDbError(nul)).toMatchObject({ status: 400 });
		expect(mapDbError(nul)?.message).toMatch(/NUL/);
		const escaped = await failure(`select '{"a":"x\\u0000"}'::jsonb ->> 'a'`);
		expect(escaped).toMatchObject({ code: '22P05' });
		expect(mapDbError(escaped)).toMatchObject({ status: 400 });
	});

	it('values out of range or of the wrong format', async () => {
		await client.query('create temp table short_text (v varchar(1))');
		for (const [text, code] of [
			[`select 'x'::uuid`, '22P02'],
			[`select 'nope'::date`, '22007'],
			[`select '2024-13-40'::date`, '22008'],
			[`select 99999999999::int`, '22003'],
			[`insert into short_text values ('abc')`, '22001']
		] as const) {
			const e = await failure(text);
			expect(e, text).toMatchObject({ code });
			expect(mapDbError(e), text).toMatchObject({ status: 400 });
		}
	});

	it('input nested too deeply for Postgres (54001) or for the app (a stack overflow)', async () => {
		const deep = await failure('select $1::jsonb', ['['.repeat(100_000) + ']'.repeat(100_000)]);
		expect(deep).toMatchObject({ code: '54001' });
		expect(mapDbError(deep)).toMatchObject({ status: 422 });
		const nest = (depth: number): unknown => (depth === 0 ? [] : [nest(depth - 1)]);
		let overflow: unknown;
		try {
			JSON.stringify(nest(200_000));
		} catch (e) {
			overflow = e;
		}
		expect(overflow).toBeInstanceOf(RangeError);
		expect(mapDbError(overflow)).toMatchObject({ status: 422 });
		expect(mapDbError(new RangeError('Invalid array length'))).toBeNull();
	});
});
