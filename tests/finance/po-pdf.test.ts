// A purchase order's generated PDF: real users signed in through the
// platform's Auth, the PDF uploaded through /storage/v1 with the member's own
// token (Storage's policies decide), catalogued in Files and attached to the
// order. The stored bytes are a PDF naming the order's number; a member of
// the organization can read it, organization B cannot; only a purchase order
// gets one, and a decided order's file stays as it was decided.
import { createClient } from '@supabase/supabase-js';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/lib/server/db/client.ts';
import { withRls, type Trx } from '../../src/lib/server/db/rls.ts';
import * as finance from '../../src/lib/server/finance/index.ts';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import { addMember, createOrganization } from '../helpers/tenancy.ts';
import type { TestUser } from '../helpers/users.ts';

type Who = 'owner' | 'admin' | 'member' | 'outsider';
type Client = ReturnType<typeof createClient>;

let platform: TestPlatform;
let db: Database;
const users = {} as Record<Who, TestUser>;
const clients = {} as Record<Who, Client>;
let A: string;
let B: string;
let campaign: string;
let collaboration: string;

function connect(key: string, accessToken?: () => Promise<string>): Client {
	return createClient(platform.apiUrl, key, {
		auth: { persistSession: false, autoRefreshToken: false },
		...(accessToken ? { accessToken } : {})
	});
}

async function signUp(who: Who): Promise<void> {
	const admin = connect(platform.serviceRoleKey);
	const email = `${who}-${crypto.randomUUID().slice(0, 8)}@example.test`;
	const password = `pw-${crypto.randomUUID()}`;
	const created = await admin.auth.admin.createUser({
		email,
		password,
		email_confirm: true,
		user_metadata: { full_name: `Pat ${who}` }
	});
	if (created.error) throw created.error;
	const { data, error } = await connect(platform.anonKey).auth.signInWithPassword({
		email,
		password
	});
	if (error || !data.session) throw error ?? new Error('no session');
	const id = data.session.user.id;
	users[who] = {
		id,
		email,
		claims: { sub: id, role: 'authenticated', email, aud: 'authenticated' }
	};
	clients[who] = connect(platform.anonKey, () => Promise.resolve(data.session.access_token));
}

const runAs =
	(who: Who): finance.RunAs =>
	<T>(fn: (trx: Trx) => Promise<T>) =>
		withRls(db, users[who].claims, fn);

async function createDocument(values: Partial<finance.DocumentInput> = {}) {
	return runAs('member')((trx) =>
		finance.create(trx, A, {
			campaignId: campaign,
			type: 'po',
			amount: '1250.50',
			currency: 'USD',
			issueDate: '2026-12-01',
			dueDate: '2026-12-31',
			description: 'Three reels and a story — autumn trail collection.',
			fileId: '',
			...values
		})
	);
}

beforeAll(async () => {
	platform = await startTestPlatform();
	db = createDatabase(platform.db.url, 2);
	for (const who of ['owner', 'admin', 'member', 'outsider'] as const) await signUp(who);
	const suffix = users.owner.id.slice(0, 6);
	A = await createOrganization(db, users.owner, 'Acme Outdoor', `acme-${suffix}`);
	B = await createOrganization(db, users.outsider, 'Beta', `beta-${suffix}`);
	await addMember(platform.db.url, A, users.admin, 'admin');
	await addMember(platform.db.url, A, users.member, 'member');
	const { rows } = await platform.pool.query<{ campaign: string; collaboration: string }>(
		`with b as (insert into public.brands (org_id, name) values ($1, 'Trail Co') returning id),
		      c as (insert into public.campaigns (org_id, kind, brand_id, name, budget_amount, currency)
		            select $1, 'influencer', b.id, 'Autumn trail team', 50000, 'EUR' from b returning id),
		      i as (insert into public.influencers (org_id, name) values ($1, 'Zoë Trails') returning id),
		      k as (insert into public.collaborations (org_id, campaign_id, influencer_id, rate_amount, rate_currency)
		            select $1, c.id, i.id, 1000, 'EUR' from c, i returning id, campaign_id)
		 select k.campaign_id as campaign, k.id as collaboration from k`,
		[A]
	);
	({ campaign, collaboration } = rows[0]!);
	await platform.pool.query(
		`insert into public.exchange_rates (from_currency, to_currency, rate_date, rate)
		 values ('USD', 'EUR', '2026-11-30', 0.9) on conflict do nothing`
	);
}, 180_000);

afterAll(async () => {
	await db?.destroy();
	await platform?.stop();
});

describe('a purchase order PDF', () => {
	it('is generated, stored under the organization in Files, attached, and readable by a member only', async () => {
		const doc = await createDocument({ collaborationId: collaboration });
		const { fileId, objectName } = await finance.generatePoFile(
			runAs('member'),
			clients.member,
			A,
			doc.id
		);
		expect(objectName).toBe(`${A}/Finance/Purchase orders/${doc.number}.pdf`);
		const row = await runAs('member')((trx) => finance.get(trx, A, doc.id));
		expect(row!.fileId).toBe(fileId);
		const file = await runAs('admin')((trx) => finance.fileOf(trx, A, fileId));
		expect(file).toMatchObject({ objectName, mimeType: 'application/pdf' });

		// Another member of A downloads it through Storage: a PDF naming the order.
		const { data, error } = await clients.admin.storage.from('org-files').download(objectName);
		expect(error).toBeNull();
		const bytes = new Uint8Array(await data!.arrayBuffer());
		expect(Buffer.from(bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
		const parsed = await PDFDocument.load(bytes);
		expect(parsed.getTitle()).toBe(`Purchase order ${doc.number}`);
		expect(parsed.getSubject()).toBe(doc.number);
		expect(parsed.getPageCount()).toBe(1);

		// Organization B can neither download it nor see its catalogue row.
		const theirs = await clients.outsider.storage.from('org-files').download(objectName);
		expect(theirs.data).toBeNull();
		expect(theirs.error).not.toBeNull();
		const signed = await clients.outsider.storage.from('org-files').createSignedUrl(objectName, 60);
		expect(signed.data).toBeNull();
		expect(await runAs('outsider')((trx) => finance.fileOf(trx, A, fileId))).toBeNull();
		expect(await runAs('outsider')((trx) => finance.get(trx, A, doc.id))).toBeNull();
	});

	it('draws any name: characters the font lacks become a question mark, not an error', async () => {
		const bytes = await finance.purchaseOrderPdf({
			number: 'PO-2026-0042',
			organization: 'Łódź Studio 東京',
			brand: null,
			campaign: 'Émile’s launch ✨',
			influencer: 'Zoë',
			issueDate: '2026-12-01',
			dueDate: null,
			amount: '1000000000.0000',
			currency: 'JPY',
			amountBase: '6000000.0000',
			baseCurrency: 'EUR',
			exchangeRate: '0.0060000000',
			rateDate: '2026-11-30',
			description: 'x'.repeat(3000),
			requestedBy: null
		});
		expect(Buffer.from(bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
		expect((await PDFDocument.load(bytes)).getSubject()).toBe('PO-2026-0042');
	});

	it('is regenerated while the order waits, and refused for an invoice, a decided order or organization B', async () => {
		const doc = await createDocument();
		const first = await finance.generatePoFile(runAs('member'), clients.member, A, doc.id);
		const again = await finance.generatePoFile(runAs('member'), clients.member, A, doc.id);
		expect(again.objectName).toBe(first.objectName);

		const invoice = await createDocument({ type: 'invoice' });
		await expect(
			finance.generatePoFile(runAs('member'), clients.member, A, invoice.id)
		).rejects.toBeInstanceOf(finance.PoFileError);

		await runAs('admin')((trx) => finance.decide(trx, doc.id, 'approved', ''));
		await expect(
			finance.generatePoFile(runAs('member'), clients.member, A, doc.id)
		).rejects.toBeInstanceOf(finance.PoFileError);

		// B's owner cannot generate (or learn about) A's order.
		const fresh = await createDocument();
		await expect(
			finance.generatePoFile(runAs('outsider'), clients.outsider, A, fresh.id)
		).rejects.toBeInstanceOf(finance.DocumentNotFoundError);
		const { rows } = await platform.pool.query<{ n: number }>(
			`select count(*)::int as n from storage.objects where name like $1`,
			[`${B}/%`]
		);
		expect(rows[0]!.n).toBe(0);
	});
});
