// deno test: the inbound webhook's handler with an in-memory store — what it
// accepts, and every refusal (with its status, and logged on the endpoint).
import assert from 'node:assert/strict';
import { signatureHeader } from '../_shared/signature.ts';
import { createHandler, RejectedValue, type InboundBody, type Store } from './handler.ts';

const ENDPOINT = '3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b';
const SECRET = 'a'.repeat(64);
const NOW = new Date('2030-01-01T12:00:00Z');

function memoryStore() {
	const log: Array<{ status: number; error: string }> = [];
	const received: InboundBody[] = [];
	const store: Store = {
		secret: (id) => Promise.resolve(id === ENDPOINT ? SECRET : null),
		refused: (_id, status, error) => {
			log.push({ status, error });
			return Promise.resolve();
		},
		receive: (_id, body) => {
			if (body.custom?.score === 'high') {
				return Promise.reject(
					new RejectedValue('Custom field "score" expects a number.', 'custom.score')
				);
			}
			received.push(body);
			return Promise.resolve({ request_id: 7, contact_id: 'c1', created: true, event_id: 9 });
		}
	};
	return { store, log, received };
}

async function post(
	body: string,
	opts: { secret?: string; at?: Date; path?: string; method?: string; header?: string | null } = {}
) {
	const mem = memoryStore();
	const handler = createHandler({ store: mem.store, now: () => NOW });
	const header =
		opts.header === undefined
			? await signatureHeader(opts.secret ?? SECRET, body, opts.at ?? NOW)
			: opts.header;
	const res = await handler(
		new Request(`http://fn.test${opts.path ?? `/inbound-webhook/${ENDPOINT}`}`, {
			method: opts.method ?? 'POST',
			headers: header === null ? {} : { 'x-growthdesk-signature': header },
			body: (opts.method ?? 'POST') === 'POST' ? body : undefined
		})
	);
	return { res, json: await res.json(), ...mem };
}

const valid = JSON.stringify({ email: ' Ada@Example.com ', first_name: 'Ada', tags: ['VIP'] });

Deno.test('a signed request creates the contact', async () => {
	const { res, json, received, log } = await post(valid);
	assert.equal(res.status, 200);
	assert.deepEqual(json, { request_id: 7, contact_id: 'c1', created: true, event_id: 9 });
	assert.deepEqual(received, [{ email: 'ada@example.com', first_name: 'Ada', tags: ['VIP'] }]);
	assert.deepEqual(log, []);
});

Deno.test('a bad signature is refused and logged', async () => {
	const { res, json, received, log } = await post(valid, { secret: 'b'.repeat(64) });
	assert.equal(res.status, 401);
	assert.equal(json.error, 'invalid_signature');
	assert.deepEqual(received, []);
	assert.deepEqual(log, [{ status: 401, error: 'Signature refused: signature does not match.' }]);
});

Deno.test('a missing signature and a replayed (old) one are refused', async () => {
	assert.equal((await post(valid, { header: null })).res.status, 401);
	const old = await post(valid, { at: new Date(NOW.getTime() - 10 * 60_000) });
	assert.equal(old.res.status, 401);
	assert.match(old.log[0]!.error, /timestamp outside the tolerance/);
});

Deno.test('a tampered body no longer matches its signature', async () => {
	const header = await signatureHeader(SECRET, valid, NOW);
	const { res } = await post(valid.replace('Ada', 'Eve'), { header });
	assert.equal(res.status, 401);
});

Deno.test('malformed and invalid bodies get 400 and 422 with the field', async () => {
	const malformed = await post('{not json');
	assert.equal(malformed.res.status, 400);
	assert.equal(malformed.log[0]!.status, 400);

	const invalid = await post(JSON.stringify({ email: 'nope', colour: 'red' }));
	assert.equal(invalid.res.status, 422);
	assert.deepEqual(invalid.json.issues.map((i: { path: string }) => i.path).sort(), ['', 'email']);

	const rejected = await post(JSON.stringify({ email: 'a@b.co', custom: { score: 'high' } }));
	assert.equal(rejected.res.status, 422);
	assert.match(rejected.json.message, /score/);
	assert.deepEqual(rejected.json.issues, [
		{ path: 'custom.score', message: 'Custom field "score" expects a number.' }
	]);
});

Deno.test('unknown endpoints, bad paths and other methods', async () => {
	assert.equal(
		(await post(valid, { path: '/inbound-webhook/4f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b' })).res
			.status,
		404
	);
	assert.equal((await post(valid, { path: '/inbound-webhook/not-a-uuid' })).res.status, 404);
	assert.equal((await post(valid, { method: 'GET' })).res.status, 405);
});
