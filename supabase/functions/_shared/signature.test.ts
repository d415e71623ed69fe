// deno test: signatures round-trip, and match the Node side's (a fixed vector
// computed with src/lib/webhooks/signature.ts).
import assert from 'node:assert/strict';
import { sign, signatureHeader, verify } from './signature.ts';

Deno.test('matches the Node implementation', async () => {
	assert.equal(
		await sign('secret', 1767225600, '{"a":1}'),
		'96a067a1c95eb143fc00b9097bcfcbcd5456adda508c443ff219748e764dbed7'
	);
	const header = await signatureHeader('secret', 'body', new Date(1767225600_000));
	assert.match(header, /^t=1767225600,v1=[0-9a-f]{64}$/);
});

Deno.test('verifies, also during a rotation, and refuses the rest', async () => {
	const at = new Date(1767225600_000);
	const header = await signatureHeader('new-secret', 'body', at);
	assert.deepEqual(await verify('new-secret', header, 'body', at), { ok: true });
	const rotating = `${header},v1=${await sign('old-secret', 1767225600, 'body')}`;
	assert.deepEqual(await verify('old-secret', rotating, 'body', at), { ok: true });
	assert.equal((await verify('other', header, 'body', at)).ok, false);
	assert.equal((await verify('new-secret', 'garbage', 'body', at)).ok, false);
});
