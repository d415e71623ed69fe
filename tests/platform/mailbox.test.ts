// The dev mailbox end to end: real SMTP from nodemailer in, the JSON API, the viewer pages and
// the test helpers out. Every mailbox runs on free ports (never the dev defaults).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	startMailbox,
	type MailMessage,
	type RunningMailbox
} from '../../platform/mailbox/index.ts';
import { freePort } from '../../platform/ports.ts';
import { linksIn, waitForMail } from '../helpers/mailbox.ts';

type Mail = {
	to: string | string[];
	subject: string;
	text?: string;
	html?: string;
	bcc?: string;
	from?: string;
};

function start(storeFile?: string): Promise<RunningMailbox> {
	return startMailbox({ smtpPort: 0, httpPort: 0, storeFile });
}

async function send(mailbox: RunningMailbox, mail: Mail) {
	const transport = nodemailer.createTransport({ host: '127.0.0.1', port: mailbox.smtpPort });
	try {
		return await transport.sendMail({ from: 'Growthdesk <no-reply@growthdesk.test>', ...mail });
	} finally {
		transport.close();
	}
}

async function api<T>(mailbox: RunningMailbox, path: string, init?: RequestInit) {
	const response = await fetch(mailbox.url + path, init);
	const body = response.status === 204 ? null : ((await response.json()) as T);
	return { status: response.status, body };
}

async function page(mailbox: RunningMailbox, path: string) {
	const response = await fetch(mailbox.url + path);
	return { status: response.status, headers: response.headers, html: await response.text() };
}

let unique = 0;
const address = (name: string) => `${name}-${++unique}@example.test`;

let mailbox: RunningMailbox;
beforeAll(async () => {
	mailbox = await start();
});
afterAll(async () => {
	await mailbox.stop();
});

describe('receiving mail', () => {
	it('parses HTML and text bodies, sender, recipients and subject', async () => {
		const to = address('ana');
		await send(mailbox, {
			to,
			subject: 'Confirm your signup',
			text: 'Follow this link: https://app.test/confirm?token=abc&type=signup',
			html: '<p>Hello <b>Ana</b></p><a href="https://app.test/confirm?token=abc&amp;type=signup">Confirm</a>'
		});
		const { body } = await api<{ messages: MailMessage[] }>(mailbox, `/api/messages?to=${to}`);
		expect(body?.messages).toHaveLength(1);
		const [message] = body?.messages ?? [];
		expect(message).toMatchObject({
			from: 'Growthdesk <no-reply@growthdesk.test>',
			to: [to],
			subject: 'Confirm your signup',
			text: 'Follow this link: https://app.test/confirm?token=abc&type=signup'
		});
		expect(message?.html).toContain('<b>Ana</b>');
		expect(message?.id).toMatch(/^[0-9a-f-]{36}$/);
		expect(Date.parse(message?.receivedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
	});

	it('lists newest first and filters by recipient, case-insensitively, Bcc included', async () => {
		const ana = address('ana');
		const bob = address('bob');
		const hidden = address('hidden');
		await send(mailbox, { to: ana, subject: 'first', text: '1' });
		await send(mailbox, { to: [ana, bob], bcc: hidden, subject: 'second', text: '2' });

		const list = async (to: string) =>
			(
				await api<{ messages: MailMessage[] }>(
					mailbox,
					`/api/messages?to=${encodeURIComponent(to)}`
				)
			).body?.messages.map((m) => m.subject);
		expect(await list(ana)).toEqual(['second', 'first']);
		expect(await list(bob.toUpperCase())).toEqual(['second']);
		expect(await list(hidden)).toEqual(['second']);
		expect(await list('nobody@example.test')).toEqual([]);

		const all = (await api<{ messages: MailMessage[] }>(mailbox, '/api/messages')).body?.messages;
		expect(all?.slice(0, 2).map((m) => m.subject)).toEqual(['second', 'first']);
		expect(mailbox.messages()[0]?.subject).toBe('second');
	});

	it('derives text from HTML-only mail and keeps html null for text-only mail', async () => {
		const to = address('formats');
		await send(mailbox, {
			to,
			subject: 'html only',
			html: '<html><head><style>p{color:red}</style></head><body><h1>Welcome</h1><p>Tom &amp; Jerry</p><a href="https://app.test/go">Start here</a></body></html>'
		});
		await send(mailbox, { to, subject: 'text only', text: 'Plain and simple' });
		const htmlOnly = await waitForMail(mailbox.url, to, { subject: 'html only' });
		expect(htmlOnly.text).toBe('Welcome\nTom & Jerry\nStart here (https://app.test/go)');
		const textOnly = await waitForMail(mailbox.url, to, { subject: 'text only' });
		expect(textOnly.html).toBeNull();
		expect(textOnly.text).toBe('Plain and simple');
	});

	it('decodes encoded subjects and non-ASCII bodies', async () => {
		const to = address('utf8');
		await send(mailbox, { to, subject: 'Bienvenue à Growthdesk ✨', text: 'Ça marche — 👍' });
		const message = await waitForMail(mailbox.url, to);
		expect(message.subject).toBe('Bienvenue à Growthdesk ✨');
		expect(message.text).toBe('Ça marche — 👍');
	});

	it('rejects a message over the size limit and keeps nothing of it', async () => {
		const to = address('huge');
		await expect(
			send(mailbox, { to, subject: 'huge', text: 'x'.repeat(11 * 1024 * 1024) })
		).rejects.toThrow(/552|size/i);
		const { body } = await api<{ messages: MailMessage[] }>(mailbox, `/api/messages?to=${to}`);
		expect(body?.messages).toEqual([]);
	});
});

describe('JSON API', () => {
	it('returns one message by id, 404 with an error for unknown ids, and clears with DELETE', async () => {
		const box = await start();
		try {
			const to = address('api');
			await send(box, { to, subject: 'by id', text: 'hi' });
			const [message] = box.messages();
			const one = await api<MailMessage>(box, `/api/messages/${message?.id}`);
			expect(one.status).toBe(200);
			expect(one.body).toEqual(message);

			const missing = await api<{ error: string }>(box, '/api/messages/nope');
			expect(missing.status).toBe(404);
			expect(missing.body?.error).toMatch(/nope/);

			const deleted = await api(box, '/api/messages', { method: 'DELETE' });
			expect(deleted.status).toBe(204);
			expect((await api<{ messages: MailMessage[] }>(box, '/api/messages')).body).toEqual({
				messages: []
			});
			expect(box.messages()).toEqual([]);
		} finally {
			await box.stop();
		}
	});
});

describe('links', () => {
	it('takes hrefs from the HTML, decoding entities, without duplicates or anchors', () => {
		const links = linksIn({
			html: `<a href="https://app.test/a?x=1&amp;y=2">A</a> <a class='b' href='https://app.test/b'>B</a>
				<a href="#top">top</a> <a href="https://app.test/a?x=1&amp;y=2">again</a>
				<a href="mailto:help@growthdesk.test">mail us</a>`,
			text: 'https://ignored.test'
		});
		expect(links).toEqual([
			'https://app.test/a?x=1&y=2',
			'https://app.test/b',
			'mailto:help@growthdesk.test'
		]);
	});

	it('falls back to URLs in the text, without trailing punctuation', () => {
		const text =
			'Confirm: https://app.test/verify?token=t1&type=signup. Or see (https://docs.test/x_(y)) and https://b.test/c, thanks!';
		expect(linksIn({ html: null, text })).toEqual([
			'https://app.test/verify?token=t1&type=signup',
			'https://docs.test/x_(y)',
			'https://b.test/c'
		]);
		expect(linksIn({ html: '<p>no links</p>', text: 'https://only.test/text' })).toEqual([
			'https://only.test/text'
		]);
	});

	it('extracts the link of a real sent message', async () => {
		const to = address('magic');
		await send(mailbox, {
			to,
			subject: 'Your magic link',
			html: '<a href="http://127.0.0.1:54321/auth/v1/verify?token=123&amp;type=magiclink&amp;redirect_to=http://localhost:5173">Log in</a>'
		});
		const message = await waitForMail(mailbox.url, to, { subject: /magic link/ });
		expect(linksIn(message)).toEqual([
			'http://127.0.0.1:54321/auth/v1/verify?token=123&type=magiclink&redirect_to=http://localhost:5173'
		]);
	});
});

describe('waitForMail', () => {
	it('waits for mail that arrives later, honouring subject and `after`', async () => {
		const to = address('wait');
		await send(mailbox, { to, subject: 'Reset your password', text: 'old' });
		const after = new Date().toISOString();
		await new Promise((resolve) => setTimeout(resolve, 5));
		const waiting = waitForMail(mailbox.url, to, { subject: /reset/i, after });
		setTimeout(() => void send(mailbox, { to, subject: 'Reset your password', text: 'new' }), 150);
		const message = await waiting;
		expect(message.text).toBe('new');
	});

	it('times out with an error that lists what did arrive', async () => {
		const to = address('typo');
		await send(mailbox, { to, subject: 'Welcome aboard', text: 'hi' });
		const error = await waitForMail(mailbox.url, to, {
			subject: 'Invitation',
			timeoutMs: 200
		}).then(
			() => null,
			(e: unknown) => e as Error
		);
		expect(error?.message).toMatch(`no mail to ${to} with subject Invitation within 200 ms`);
		expect(error?.message).toContain(`to ${to}  "Welcome aboard"`);
	});

	it('says when the mailbox cannot be reached', async () => {
		const url = `http://127.0.0.1:${await freePort()}`;
		await expect(waitForMail(url, 'x@example.test', { timeoutMs: 100 })).rejects.toThrow(
			/could not be read/
		);
	});
});

describe('viewer', () => {
	it('shows the empty state, then the list, escaping what it renders', async () => {
		const box = await start();
		try {
			const empty = await page(box, '/');
			expect(empty.status).toBe(200);
			expect(empty.html).toContain('No mail yet — emails sent by the local platform appear here');
			expect(empty.headers.get('content-security-policy')).toContain("script-src 'none'");

			const to = address('view');
			await send(box, { to, subject: '<script>alert("x")</script> & more', text: 'hi' });
			const list = await page(box, '/');
			expect(list.html).not.toContain('<script>alert');
			expect(list.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
			expect(list.html).toContain(to);
			expect(list.html).toContain(`href="/messages/${box.messages()[0]?.id}"`);

			const filtered = await page(box, `/?to=${encodeURIComponent('"><b>nobody</b>')}`);
			expect(filtered.html).toContain(
				'No mail to <strong>&quot;&gt;&lt;b&gt;nobody&lt;/b&gt;</strong>'
			);
			const mine = await page(box, `/?to=${encodeURIComponent(to.toUpperCase())}`);
			expect(mine.html).toContain('1 message');
		} finally {
			await box.stop();
		}
	});

	it('renders a message: sandboxed HTML body, clickable text links, and a 404 page', async () => {
		const to = address('detail');
		await send(mailbox, {
			to,
			subject: 'Detail <b>view</b>',
			text: 'Open https://app.test/x?a=1&b=2 now.',
			html: '<html><head><title>t</title></head><body><a href="https://app.test/x?a=1&amp;b=2">Open</a><script>alert(1)</script></body></html>'
		});
		const message = await waitForMail(mailbox.url, to);
		const { status, html } = await page(mailbox, `/messages/${message.id}`);
		expect(status).toBe(200);
		expect(html).toContain('Detail &lt;b&gt;view&lt;/b&gt;');
		expect(html).toContain(
			'sandbox="allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation"'
		);
		// The email's HTML only exists escaped inside srcdoc, with links opening in a new tab.
		const srcdoc = /srcdoc="([^"]*)"/.exec(html)?.[1] ?? '';
		expect(srcdoc).toContain('&lt;head&gt;&lt;base target=&quot;_blank&quot;&gt;&lt;title&gt;');
		expect(html).not.toContain('<script>alert(1)');
		expect(html).toContain(
			'<a href="https://app.test/x?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">https://app.test/x?a=1&amp;b=2</a> now.'
		);

		const missing = await page(mailbox, '/messages/does-not-exist');
		expect(missing.status).toBe(404);
		expect(missing.html).toContain('There is no message with this id.');
	});

	it('deletes all mail from the page, but not from another origin', async () => {
		const box = await start();
		try {
			await send(box, { to: address('clear'), subject: 'to delete', text: 'x' });
			const form = { method: 'POST', body: new URLSearchParams(), redirect: 'manual' } as const;
			const foreign = await fetch(`${box.url}/clear`, {
				...form,
				headers: { origin: 'http://evil.test' }
			});
			expect(foreign.status).toBe(403);
			expect(box.messages()).toHaveLength(1);
			const own = await fetch(`${box.url}/clear`, { ...form, headers: { origin: box.url } });
			expect(own.status).toBe(303);
			expect(box.messages()).toEqual([]);
		} finally {
			await box.stop();
		}
	});
});

describe('store file', () => {
	let dir: string;
	beforeAll(async () => {
		dir = await mkdtemp(join(tmpdir(), 'gd-mailbox-'));
	});
	afterAll(async () => {
		await rm(dir, { recursive: true, force: true });
	});

	it('keeps mail across a restart, and clearing empties the file', async () => {
		const storeFile = join(dir, 'nested', 'mailbox.jsonl');
		const to = address('persist');
		const first = await start(storeFile);
		await send(first, { to, subject: 'one', text: '1' });
		await send(first, { to, subject: 'two', html: '<a href="https://app.test/two">two</a>' });
		const before = first.messages();
		await first.stop();

		const second = await start(storeFile);
		try {
			expect(second.messages()).toEqual(before);
			expect(second.messages().map((m) => m.subject)).toEqual(['two', 'one']);
			const { body } = await api<{ messages: MailMessage[] }>(second, `/api/messages?to=${to}`);
			expect(body?.messages).toHaveLength(2);
			second.clear();
			expect(await readFile(storeFile, 'utf8')).toBe('');
		} finally {
			await second.stop();
		}
		const third = await start(storeFile);
		expect(third.messages()).toEqual([]);
		await third.stop();
	});

	it('skips a line cut short by a crash', async () => {
		const storeFile = join(dir, 'torn.jsonl');
		const first = await start(storeFile);
		await send(first, { to: address('torn'), subject: 'kept', text: 'k' });
		await first.stop();
		const { appendFile } = await import('node:fs/promises');
		await appendFile(storeFile, '{"id":"half');
		const second = await start(storeFile);
		try {
			expect(second.messages().map((m) => m.subject)).toEqual(['kept']);
			expect((await readFile(storeFile, 'utf8')).trim().split('\n')).toHaveLength(1);
		} finally {
			await second.stop();
		}
	});
});

describe('ports', () => {
	async function occupy(): Promise<{ port: number; server: Server }> {
		const server = createServer();
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		return { port: (server.address() as AddressInfo).port, server };
	}
	const release = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

	it('names the SMTP port and GD_SMTP_PORT when the SMTP port is taken', async () => {
		const { port, server } = await occupy();
		try {
			await expect(startMailbox({ smtpPort: port, httpPort: 0 })).rejects.toThrow(
				`The dev mailbox (SMTP) cannot listen on 127.0.0.1:${port}: the port is taken. ` +
					'Stop whatever holds it, or choose another port with GD_SMTP_PORT=<port>.'
			);
		} finally {
			await release(server);
		}
	});

	it('names the web port and GD_MAILBOX_PORT, and frees the SMTP port again', async () => {
		const { port, server } = await occupy();
		const smtpPort = await freePort();
		try {
			await expect(startMailbox({ smtpPort, httpPort: port })).rejects.toThrow(
				new RegExp(
					`The dev mailbox \\(web\\) cannot listen on 127\\.0\\.0\\.1:${port}.*GD_MAILBOX_PORT`
				)
			);
		} finally {
			await release(server);
		}
		const box = await startMailbox({ smtpPort, httpPort: 0 });
		expect(box.smtpPort).toBe(smtpPort);
		await box.stop();
	});
});
