// The SMS/WhatsApp round trip through the Twilio adapter and the platform's
// stand-in of Twilio's API: a message sent with basic auth lands in the
// stand-in; a delivery receipt and a reply played there reach the app's side
// as signed form posts the adapter believes, and a forged or altered one it
// refuses. Refusals: bad numbers are for good, bad credentials too.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	BadProviderSignature,
	twilioAdapter,
	twilioSignature,
	type MessagingAdapter,
	type ProviderRequest
} from '../../src/lib/server/messaging/index.ts';
import {
	standInCredentials,
	startMessaging,
	type RunningMessaging
} from '../../platform/messaging/index.ts';

type Received = ProviderRequest & { path: string };
let standIn: RunningMessaging;
let app: Server;
let appUrl: string;
let adapter: MessagingAdapter;
const received: Received[] = [];
const creds = standInCredentials();

/** The app's webhook side: records each signed post it gets. */
function startApp(): Promise<string> {
	app = createServer((req, res) => {
		let body = '';
		req.on('data', (chunk: Buffer) => (body += chunk.toString()));
		req.on('end', () => {
			received.push({
				path: req.url!.split('?')[0]!,
				url: `${appUrl}${req.url}`,
				headers: new Headers(req.headers as Record<string, string>),
				form: new URLSearchParams(body)
			});
			res.writeHead(204).end();
		});
	});
	return new Promise((resolve) =>
		app.listen(0, '127.0.0.1', () => {
			const address = app.address();
			resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
		})
	);
}

async function waitFor<T>(find: () => T | undefined): Promise<T> {
	for (let i = 0; i < 200; i++) {
		const found = find();
		if (found) return found;
		await new Promise((r) => setTimeout(r, 25));
	}
	throw new Error('timed out');
}

beforeAll(async () => {
	appUrl = await startApp();
	standIn = await startMessaging({
		httpPort: 0,
		...creds,
		inboundUrl: `${appUrl}/t/hooks/twilio/inbound`
	});
	adapter = twilioAdapter({
		...creds,
		from: '+15005550006',
		whatsappFrom: '+15005550007',
		apiUrl: standIn.url,
		statusCallbackUrl: `${appUrl}/t/hooks/twilio/status`
	});
});
afterAll(async () => {
	await standIn?.stop();
	await new Promise((r) => app?.close(r));
});

describe('SMS through the Twilio adapter and the stand-in', () => {
	const reference = '0b6c1c9e-6f1e-4d0a-9a43-8b1f6a2c5d10';

	it('sends, then plays a signed delivery receipt and a reply back', async () => {
		const sent = await adapter.send({
			channel: 'sms',
			to: '+447700900123',
			body: 'Spring sale: 20% off',
			reference
		});
		expect(sent).toMatchObject({ ok: true, status: 'queued' });
		const providerId = sent.ok ? sent.providerId : '';
		expect(standIn.messages()[0]).toMatchObject({
			sid: providerId,
			channel: 'sms',
			to: '+447700900123',
			from: '+15005550006',
			body: 'Spring sale: 20% off'
		});

		const status = await fetch(`${standIn.url}/api/messages/${providerId}/status`, {
			method: 'POST',
			body: JSON.stringify({ status: 'delivered' })
		});
		expect(await status.json()).toEqual({ answer: 204 });
		const receipt = await waitFor(() => received.find((r) => r.path === '/t/hooks/twilio/status'));
		expect(adapter.receipt(receipt)).toEqual({
			providerId,
			reference,
			status: 'delivered',
			error: null
		});

		await fetch(`${standIn.url}/api/messages/${providerId}/reply`, {
			method: 'POST',
			body: JSON.stringify({ body: 'STOP' })
		});
		const reply = await waitFor(() => received.find((r) => r.path === '/t/hooks/twilio/inbound'));
		expect(adapter.inbound(reply)).toMatchObject({
			channel: 'sms',
			from: '+447700900123',
			to: '+15005550006',
			body: 'STOP'
		});

		// Forged: no signature, another token's, a changed field, another URL.
		const forged = (r: Received, change: Partial<ProviderRequest>) => ({ ...r, ...change });
		const noSig = new Headers(receipt.headers);
		noSig.delete('x-twilio-signature');
		const otherSig = new Headers(receipt.headers);
		otherSig.set('x-twilio-signature', twilioSignature('x'.repeat(32), receipt.url, receipt.form));
		const changed = new URLSearchParams(receipt.form);
		changed.set('MessageStatus', 'failed');
		for (const bad of [
			forged(receipt, { headers: noSig }),
			forged(receipt, { headers: otherSig }),
			forged(receipt, { form: changed }),
			forged(receipt, {
				url: receipt.url.replace(reference, '11111111-2222-4333-8444-555555555555')
			})
		]) {
			expect(() => adapter.receipt(bad)).toThrow(BadProviderSignature);
		}
	});

	it('sends WhatsApp from the WhatsApp number', async () => {
		const sent = await adapter.send({
			channel: 'whatsapp',
			to: '+447700900124',
			body: 'Hi',
			reference
		});
		expect(sent.ok).toBe(true);
		expect(standIn.messages()[0]).toMatchObject({ channel: 'whatsapp', from: '+15005550007' });
	});

	it('refuses bad numbers and bad credentials for good, and an unreachable provider for later', async () => {
		expect(await adapter.send({ channel: 'sms', to: '0770', body: 'x', reference })).toMatchObject({
			ok: false,
			temporary: false
		});
		const wrong = twilioAdapter({
			...creds,
			authToken: 'wrong',
			from: '+15005550006',
			whatsappFrom: null,
			apiUrl: standIn.url,
			statusCallbackUrl: null
		});
		const refused = await wrong.send({ channel: 'sms', to: '+447700900123', body: 'x', reference });
		expect(refused).toMatchObject({ ok: false, temporary: false });
		expect(refused.ok ? '' : refused.reason).toContain('20003');
		const down = twilioAdapter({
			...creds,
			from: '+15005550006',
			whatsappFrom: null,
			apiUrl: 'http://127.0.0.1:9',
			statusCallbackUrl: null
		});
		expect(
			await down.send({ channel: 'sms', to: '+447700900123', body: 'x', reference })
		).toMatchObject({
			ok: false,
			temporary: true
		});
	});
});
