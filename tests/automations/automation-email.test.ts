// Automation email as the organization sends it: its name in From with the
// platform's address, its reply-to, its branding around the escaped body, and
// for marketing email the unsubscribe link and the RFC 8058 headers; through
// the real mailer into the platform mailbox and a raw SMTP capture.
import { once } from 'node:events';
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Definition } from '../../src/lib/automations/definition.ts';
import { createMailer } from '../../src/lib/server/mail/mailer.ts';
import { verify } from '../../src/lib/unsubscribe/token.ts';
import { startMailbox, type RunningMailbox } from '../../platform/mailbox/index.ts';
import {
	archive,
	createContact,
	engineWorld,
	publish,
	runDispatchJobs,
	runsOf,
	TEST_UNSUBSCRIBE_SECRET,
	type EngineWorld,
	type SentMail
} from './helpers.ts';

let w: EngineWorld;
let mailbox: RunningMailbox;
beforeAll(async () => {
	w = await engineWorld();
	mailbox = await startMailbox({ smtpPort: 0, httpPort: 0 });
	await w.pool.query(`update public.organizations set name = 'Acme & Sons <Shop>' where id = $1`, [
		w.world.orgA
	]);
	await w.pool.query(
		`update public.branding_settings
		    set reply_to_email = 'hello@acme.example', primary_color = '#047857',
		        font_family = 'Georgia', logo_url = 'https://acme.example/logo.png?a=1&b=2'
		  where org_id = $1`,
		[w.world.orgA]
	);
});
afterAll(async () => {
	await mailbox?.stop();
	await w?.close();
});

const sendOnCreate = (marketing?: boolean): Definition => ({
	trigger: { type: 'event', event: 'contact.created' },
	reentry: { mode: 'every_time' },
	start: 'mail',
	steps: [
		{
			id: 'mail',
			name: 'Welcome',
			type: 'send_email',
			email: {
				kind: 'inline',
				subject: 'Welcome, {{contact.first_name}}',
				text: 'Hello {{contact.first_name}}'
			},
			...(marketing === undefined ? {} : { marketing }),
			next: null
		}
	]
});

let sends = 0;
async function sendOne(marketing?: boolean, firstName = '<b>Ann</b>'): Promise<SentMail> {
	w.mailer.sent.length = 0;
	const id = await publish(w, sendOnCreate(marketing));
	const contact = await createContact(w, {
		email: `ann${++sends}@example.test`,
		first_name: firstName
	});
	await runDispatchJobs(w);
	await archive(w, id);
	expect(w.mailer.sent).toHaveLength(1);
	const sent = w.mailer.sent[0]!;
	(sent as SentMail & { contact: string }).contact = contact;
	return sent;
}

describe('marketing email (the default)', () => {
	it('is sent as the organization, in its branding, with the unsubscribe link and headers', async () => {
		const sent = (await sendOne()) as SentMail & { contact: string };
		expect(sent.fromName).toBe('Acme & Sons <Shop>');
		expect(sent.replyTo).toBe('hello@acme.example');
		expect(sent.subject).toBe('Welcome, <b>Ann</b>');

		const url =
			/^<(http:\/\/app\.test\/u\/([^>]+))>, <mailto:hello@acme\.example\?subject=unsubscribe>$/.exec(
				sent.headers!['List-Unsubscribe']!
			);
		expect(url).not.toBeNull();
		expect(verify(TEST_UNSUBSCRIBE_SECRET, url![2]!)).toEqual({
			orgId: w.world.orgA,
			contactId: sent.contact,
			channel: 'email'
		});
		expect(sent.headers!['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
		expect(sent.headers!['Message-ID']).toMatch(/^<.+@automations\.growthdesk>$/);

		// Branded and escaped: the logo, the colour, the font; nothing merged is markup.
		expect(sent.html).toContain(
			'<img src="https://acme.example/logo.png?a=1&amp;b=2" alt="Acme &amp; Sons &lt;Shop&gt;"'
		);
		expect(sent.html).toContain('#047857');
		expect(sent.html).toContain('Georgia');
		expect(sent.html).toContain('<p>Hello &lt;b&gt;Ann&lt;/b&gt;</p>');
		expect(sent.html).not.toContain('<b>Ann');
		expect(sent.html).toContain(`<a href="${url![1]}"`);
		expect(sent.html).toContain('Unsubscribe</a>');
		// The plain-text part has the link too.
		expect(sent.text).toContain('Hello <b>Ann</b>');
		expect(sent.text).toContain(`Unsubscribe: ${url![1]}`);
	});

	it('goes out through SMTP with those headers, as "<org name>" at the platform address', async () => {
		const sent = await sendOne(undefined, 'Ann');
		// The real mailer into the platform mailbox: From shows the organization.
		const mailer = createMailer(
			`smtp://127.0.0.1:${mailbox.smtpPort}`,
			'Growthdesk <no-reply@growthdesk.test>'
		);
		await mailer.send(sent);
		const inbox = mailbox.messages().filter((m) => m.subject === 'Welcome, Ann');
		expect(inbox).toHaveLength(1);
		// The mailbox shows the parsed display name and address.
		expect(inbox[0]!.from).toBe('Acme & Sons <Shop> <no-reply@growthdesk.test>');
		expect(inbox[0]!.text).toContain('Unsubscribe: http://app.test/u/');

		// The same send to a raw SMTP capture: the headers on the wire.
		const raw: Buffer[] = [];
		const server = new SMTPServer({
			authOptional: true,
			disabledCommands: ['STARTTLS', 'AUTH'],
			logger: false,
			onData(stream, _session, done) {
				stream.on('data', (chunk: Buffer) => raw.push(chunk));
				stream.on('end', () => done());
			}
		});
		server.listen(0, '127.0.0.1');
		await once(server.server, 'listening');
		const port = (server.server.address() as { port: number }).port;
		try {
			await createMailer(`smtp://127.0.0.1:${port}`, 'Growthdesk <no-reply@growthdesk.test>').send(
				sent
			);
		} finally {
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
		const parsed = await PostalMime.parse(Buffer.concat(raw));
		const header = (name: string) =>
			parsed.headers.find((h) => h.key === name.toLowerCase())?.value.replace(/\s+/g, ' ');
		expect(parsed.from).toMatchObject({
			name: 'Acme & Sons <Shop>',
			address: 'no-reply@growthdesk.test'
		});
		expect(parsed.replyTo).toMatchObject([{ address: 'hello@acme.example' }]);
		expect(header('List-Unsubscribe')).toBe(sent.headers!['List-Unsubscribe']);
		expect(header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
	});

	it('is not sent to a contact whose email consent is withdrawn; the step says why', async () => {
		w.mailer.sent.length = 0;
		const id = await publish(w, sendOnCreate());
		const { rows } = await w.pool.query<{ id: string }>(
			`with c as (insert into public.contacts (org_id, email) values ($1, 'no@example.test') returning id)
			 select id from c`,
			[w.world.orgA]
		);
		await w.pool.query(
			`insert into public.consent_records (org_id, contact_id, channel, status, source)
			 values ($1, $2, 'email', 'withdrawn', 'test')`,
			[w.world.orgA, rows[0]!.id]
		);
		await runDispatchJobs(w);
		await archive(w, id);
		expect(w.mailer.sent).toHaveLength(0);
		const [run] = await runsOf(w, id);
		expect(run!.steps[0]).toMatchObject({
			status: 'skipped',
			output: { skipped: 'The contact is unsubscribed or cannot receive email.' }
		});
	});
});

describe('transactional email', () => {
	it('has no unsubscribe link or headers, and still comes from the organization', async () => {
		const sent = await sendOne(false);
		expect(sent.fromName).toBe('Acme & Sons <Shop>');
		expect(sent.replyTo).toBe('hello@acme.example');
		expect(sent.headers).not.toHaveProperty('List-Unsubscribe');
		expect(sent.headers).not.toHaveProperty('List-Unsubscribe-Post');
		expect(sent.html).not.toContain('/u/');
		expect(sent.text).toBe('Hello <b>Ann</b>');
	});
});
