// The demo workspace `npm run dev` loads into a new database (platform/demo.ts):
// who owns what, that it has something in every module, that the segments'
// members are those the app's own rule compiler finds, that the job queue is
// not flooded, that it is the same data every time, and how long it takes.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../../platform/demo.ts';
import { createDatabase, type Database } from '../../src/lib/server/db/client.ts';
import { asService } from '../../src/lib/server/db/rls.ts';
import { refresh } from '../../src/lib/server/segments/membership.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const DEMO_USER = 'd0d0d0d0-0000-4000-8000-000000000001';

// Columns that differ from one seeding to the next by design: bcrypt salts,
// and audit rows' before/after images (they hold updated_at stamps of now()).
const TABLES: Array<[string, string[]]> = [
	['auth.users', ['encrypted_password']],
	['auth.identities', []],
	['public.profiles', []],
	['public.organizations', []],
	['public.members', []],
	['public.roles', []],
	['public.role_permissions', []],
	['public.invitations', []],
	['public.branding_settings', []],
	['public.brands', []],
	['public.audit_log', ['before', 'after']],
	['public.contact_fields', []],
	['public.tags', []],
	['public.contacts', []],
	['public.contact_tags', []],
	['public.consent_records', []],
	['public.events', []],
	['public.segments', []],
	['public.segment_memberships', []],
	['public.contact_imports', []],
	['public.contact_import_errors', []],
	['public.automations', []],
	['public.automation_versions', []],
	['public.automation_runs', []],
	['public.automation_step_runs', []],
	['public.webhook_subscriptions', []],
	['public.webhook_deliveries', []],
	['public.inbound_webhooks', []],
	['public.inbound_webhook_requests', []],
	['public.products', []],
	['public.audiences', []],
	['public.audience_segments', []],
	['public.campaign_audiences', []],
	['public.message_sends', []],
	['public.message_recipients', []],
	['storage.objects', []],
	['public.files', []],
	['public.message_template_folders', []],
	['public.message_templates', []],
	['public.creative_requirements', []],
	['public.creative_assets', []],
	['public.creative_asset_versions', []],
	['public.creative_comments', []],
	['public.collaborations', []],
	['public.collaboration_deliverables', []],
	['public.collaboration_products', []],
	['public.collaboration_clicks', []],
	['public.conversions', []],
	['public.message_links', []],
	['public.message_report_hours', []],
	['public.message_link_clicks', []],
	['public.message_subject_tests', []],
	['public.brand_lift_studies', []],
	['public.brand_lift_questions', []],
	['public.brand_lift_options', []],
	['public.brand_lift_comments', []],
	['public.brand_lift_respondents', []],
	['public.brand_lift_responses', []],
	['public.brand_lift_answers', []],
	['public.brand_lift_question_totals', []],
	['public.brand_lift_option_totals', []]
];

async function checksums(client: pg.Client): Promise<Record<string, string>> {
	const sums: Record<string, string> = {};
	for (const [table, excluded] of TABLES) {
		const { rows } = await client.query<{ n: string; sum: string }>(
			`select count(*) as n, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as sum
			   from (select to_jsonb(t) - $1::text[] as x from ${table} t) s`,
			[excluded]
		);
		sums[table] = `${rows[0]!.n}:${rows[0]!.sum}`;
	}
	// Jobs queued for "as soon as possible" carry the clock's now(); wake-ups are the demo's own times.
	const { rows } = await client.query<{ jobs: string }>(
		`select string_agg(task_identifier || ' ' || coalesce(key, '') || ' '
		                   || case when task_identifier = 'automations_resume' then run_at::text else '' end, '|'
		                   order by task_identifier, key) as jobs from graphile_worker.jobs`
	);
	sums.jobs = rows[0]!.jobs;
	return sums;
}

describe('the demo workspace', () => {
	// Whole seconds: the demo's "now", close enough to the clock for the segments' time windows.
	const now = new Date(Math.floor(Date.now() / 1000) * 1000);
	let first: TestDatabase;
	let second: TestDatabase;
	let client: pg.Client;
	let db: Database;
	let seeded: Record<string, string>;
	let storageDir: string;
	const q = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
		(await client.query<T>(text, values)).rows;

	beforeAll(async () => {
		first = await createTestDatabase();
		second = await createTestDatabase();
		const files: string[] = [];
		storageDir = await mkdtemp(join(tmpdir(), 'gd-demo-storage-'));
		const seconds = await loadDemo(first.url, {
			now,
			storageDir,
			log: (line) => files.push(line)
		});
		console.log(`demo workspace seeded in ${seconds.toFixed(2)} s (${files.join(', ')})`);
		client = new pg.Client({ connectionString: first.url });
		await client.connect();
		seeded = await checksums(client);
		db = createDatabase(first.url, 2);
	}, 180_000);

	afterAll(async () => {
		await client?.end();
		await db?.destroy();
		await first?.drop();
		await second?.drop();
		if (storageDir) await rm(storageDir, { recursive: true, force: true });
	});

	it("keeps Northwind's files in nested folders, in step with Storage, their bytes on disk", async () => {
		const files = await q<{
			folder: string;
			file_name: string;
			size: string;
			checksum: string;
			version: string;
		}>(
			`select f.folder, f.file_name, f.size, f.checksum, o.version
			   from public.files f join storage.objects o on o.id = f.object_id
			   join public.organizations g on g.id = f.org_id
			  where g.slug = 'northwind' and f.bucket_id = 'org-files' order by f.name`
		);
		expect(files.length).toBeGreaterThanOrEqual(8);
		expect(new Set(files.map((f) => f.folder))).toEqual(
			new Set([
				'Brand/Logos',
				'Brand/Logos/Old',
				'Campaigns/Spring launch',
				'Campaigns/Summer trail',
				'Documents'
			])
		);
		for (const file of files) {
			const bytes = await readFile(
				join(storageDir, 'objects', file.version.slice(0, 2), file.version)
			);
			expect(bytes.length, file.file_name).toBe(Number(file.size));
			expect(createHash('md5').update(bytes).digest('hex'), file.file_name).toBe(file.checksum);
		}
		expect(await q('select * from private.files_orphans()')).toEqual([]);
	});

	it("shows the ambassador team's creatives in review, their files in Storage", async () => {
		const progress = await q<{
			deliverable: string;
			approved: number;
			pending: number;
			missing: number;
		}>(
			`select r.deliverable, p.approved, p.pending, p.missing
			   from public.creative_requirement_progress p
			   join public.creative_requirements r on r.id = p.requirement_id
			   join public.campaigns c on c.id = r.campaign_id
			  where c.name = 'Ultra runners ambassador team' order by r.position`
		);
		expect(progress).toEqual([
			{ deliverable: 'photo', approved: 1, pending: 1, missing: 2 },
			{ deliverable: 'story', approved: 1, pending: 0, missing: 1 },
			{ deliverable: 'blog_post', approved: 0, pending: 1, missing: 1 }
		]);
		const versions = await q<{ version: string; size: string; checksum: string }>(
			`select o.version, f.size, f.checksum
			   from public.creative_asset_versions v
			   join storage.objects o on o.bucket_id = 'campaign-creatives' and o.name = v.storage_path
			   join public.files f on f.object_id = o.id`
		);
		expect(versions).toHaveLength(5);
		for (const file of versions) {
			const bytes = await readFile(
				join(storageDir, 'objects', file.version.slice(0, 2), file.version)
			);
			expect(createHash('md5').update(bytes).digest('hex')).toBe(file.checksum);
		}
		const events = await q<{ type: string; n: number }>(
			`select type, count(*)::int as n from public.events where type like 'creative.%' group by type order by type`
		);
		expect(events).toEqual([
			{ type: 'creative.approved', n: 2 },
			{ type: 'creative.changes_requested', n: 1 },
			{ type: 'creative.submitted', n: 5 }
		]);
	});

	it('puts influencers on the ambassador team across the collaboration statuses, with a parcel and clicks', async () => {
		const collabs = await q<{ status: string; products: string[]; clicks: number; orders: number }>(
			`select c.status,
			        array(select s.status::text from public.collaboration_products s
			               where s.collaboration_id = c.id order by s.status) as products,
			        (select count(*)::int from public.collaboration_clicks k where k.collaboration_id = c.id) as clicks,
			        (select count(*)::int from public.conversions v where v.collaboration_id = c.id) as orders
			   from public.collaborations c join public.organizations o on o.id = c.org_id and o.slug = 'northwind'
			  order by c.status`
		);
		expect(collabs).toEqual([
			{ status: 'pending', products: ['chosen'], clicks: 0, orders: 0 },
			{
				status: 'accepted',
				products: ['ordered', 'shipped'],
				clicks: 120,
				orders: expect.any(Number) as number
			},
			{ status: 'rejected', products: [], clicks: 0, orders: 0 },
			{
				status: 'completed',
				products: ['delivered'],
				clicks: 340,
				orders: expect.any(Number) as number
			}
		]);
		expect(collabs[3]!.orders).toBeGreaterThanOrEqual(2);
		const [content] = await q<{ n: number }>(
			`select count(*)::int as n from public.creative_assets where collaboration_id is not null`
		);
		expect(content!.n).toBe(2);
	});

	it("keeps the CRM's API key as an automation secret that the CRM step names", async () => {
		const rows = await q<{ name: string; header: string }>(
			`select s.name, (select step -> 'headers' ->> 'Authorization'
			                   from jsonb_array_elements(v.definition -> 'steps') step
			                  where step ->> 'type' = 'http_request') as header
			   from public.automation_secrets s
			   join public.organizations o on o.id = s.org_id and o.slug = 'northwind'
			   join public.automations a on a.org_id = o.id and a.name = 'Send new contacts to the CRM'
			   join public.automation_versions v on v.id = a.active_version_id`
		);
		expect(rows).toEqual([{ name: 'crm_api_key', header: 'Bearer {{secret:crm_api_key}}' }]);
	});

	it('makes the demo user the owner of Northwind and a member of Bluebird', async () => {
		const rows = await q<{ slug: string; role: string }>(
			`select o.slug, m.role from public.members m join public.organizations o on o.id = m.org_id
			  where m.user_id = $1 order by o.slug`,
			[DEMO_USER]
		);
		expect(rows).toEqual([
			{ slug: 'bluebird-coffee', role: 'member' },
			{ slug: 'northwind', role: 'owner' }
		]);
	});

	it('gives Northwind two brands and teammates in every base role, who sign in with the demo password', async () => {
		const [org] = await q<{ brands: number; roles: number; members: number; custom: number }>(
			`select (select count(*)::int from public.brands b where b.org_id = o.id) as brands,
			        (select count(distinct m.role)::int from public.members m where m.org_id = o.id) as roles,
			        (select count(*)::int from public.members m where m.org_id = o.id) as members,
			        (select count(*)::int from public.members m where m.org_id = o.id and m.custom_role_id is not null) as custom
			   from public.organizations o where o.slug = 'northwind'`
		);
		expect(org).toEqual({ brands: 2, roles: 4, members: 5, custom: 1 });
		const people = await q<{ email: string; full_name: string; ok: boolean; identities: number }>(
			`select u.email, p.full_name,
			        u.encrypted_password = extensions.crypt('growthdesk-demo', u.encrypted_password) as ok,
			        (select count(*)::int from auth.identities i where i.user_id = u.id and i.provider = 'email') as identities
			   from auth.users u join public.profiles p on p.id = u.id
			  where u.email_confirmed_at is not null order by u.email`
		);
		expect(people.length).toBe(6);
		for (const person of people) {
			expect(person.ok, person.email).toBe(true);
			expect(person.identities, person.email).toBe(1);
			expect(person.full_name, person.email).not.toBe('');
		}
	});

	it('has thousands of contacts with custom fields of every type, tags, consent and timelines, over 90 days', async () => {
		const [c] = await q<{
			contacts: number;
			days: number;
			field_types: number;
			tagged: number;
			consents: number;
			events: number;
			statuses: number;
			last_week: number;
		}>(
			`select (select count(*)::int from public.contacts c where c.org_id = o.id) as contacts,
			        (select count(distinct c.created_at::date)::int from public.contacts c where c.org_id = o.id) as days,
			        (select count(distinct f.type)::int from public.contact_fields f where f.org_id = o.id) as field_types,
			        (select count(distinct ct.contact_id)::int from public.contact_tags ct where ct.org_id = o.id) as tagged,
			        (select count(distinct r.channel)::int from public.consent_records r where r.org_id = o.id) as consents,
			        (select count(*)::int from public.events e where e.org_id = o.id and e.subject_type = 'contact') as events,
			        (select count(distinct c.status)::int from public.contacts c where c.org_id = o.id) as statuses,
			        (select count(*)::int from public.contacts c
			          where c.org_id = o.id and c.created_at > $1::timestamptz - interval '7 days') as last_week
			   from public.organizations o where o.slug = 'northwind'`,
			[now]
		);
		expect(c!.contacts).toBe(3000);
		expect(c!.days).toBeGreaterThanOrEqual(60);
		expect(c!.field_types).toBe(6);
		expect(c!.tagged).toBeGreaterThan(1500);
		expect(c!.consents).toBe(3);
		expect(c!.events).toBeGreaterThan(10_000);
		expect(c!.statuses).toBe(3);
		expect(c!.last_week).toBeGreaterThan(100);
		// Nothing happened in the future.
		const [future] = await q<{ n: number }>(
			`select ((select count(*) from public.events where occurred_at > $1)
			       + (select count(*) from public.contacts where created_at > $1 or updated_at > $1)
			       + (select count(*) from public.audit_log where at > $1))::int as n`,
			[now]
		);
		expect(future!.n).toBe(0);
	});

	it('has segments whose members are those the rule compiler finds', async () => {
		const segments = await q<{ id: string; name: string; cached_count: number; members: number }>(
			`select s.id, s.name, s.cached_count,
			        (select count(*)::int from public.segment_memberships m where m.segment_id = s.id) as members
			   from public.segments s order by s.name`
		);
		expect(segments.length).toBe(8);
		for (const segment of segments) {
			expect(segment.members, segment.name).toBeGreaterThan(0);
			expect(segment.cached_count, segment.name).toBe(segment.members);
			const result = await asService(db, (trx) => refresh(trx, segment.id));
			expect(result, segment.name).toEqual({
				status: 'refreshed',
				entered: 0,
				exited: 0,
				count: segment.members
			});
		}
	});

	it('has a finished import and active automations with completed, failed and waiting runs', async () => {
		const [imported] = await q<{ status: string; inserted_rows: number; contacts: number }>(
			`select i.status, i.inserted_rows,
			        (select count(*)::int from public.contacts c where c.org_id = i.org_id and c.source = 'import') as contacts
			   from public.contact_imports i where i.file_name = 'northwind-customers-2026.csv'`
		);
		expect(imported).toMatchObject({ status: 'completed' });
		expect(imported!.inserted_rows).toBe(imported!.contacts);
		expect(imported!.contacts).toBeGreaterThan(500);

		const runs = await q<{ status: string; n: number }>(
			`select r.status, count(*)::int as n from public.automation_runs r
			   join public.automations a on a.id = r.automation_id
			  where a.status = 'active' group by r.status order by r.status`
		);
		expect(runs.map((r) => r.status).sort()).toEqual(['completed', 'failed', 'waiting']);
		const [active] = await q<{ n: number }>(
			`select count(*)::int as n from public.automations where status = 'active'`
		);
		expect(active!.n).toBeGreaterThanOrEqual(4);
		// Every run's history is whole: its last step run is its seq; a waiting run waits on an open step.
		const [broken] = await q<{ n: number }>(
			`select count(*)::int as n from public.automation_runs r
			  where r.seq <> (select max(s.seq) from public.automation_step_runs s where s.run_id = r.id)
			     or (r.status = 'waiting') <> (r.open_step_run_id is not null)`
		);
		expect(broken!.n).toBe(0);
	});

	it('queues only a handful of jobs: segment reconciles, the schedule, and the waiting runs', async () => {
		const jobs = await q<{ task_identifier: string; n: number }>(
			`select task_identifier, count(*)::int as n from graphile_worker.jobs group by 1 order by 1`
		);
		const [waiting] = await q<{ n: number }>(
			`select count(*)::int as n from public.automation_runs where status = 'waiting'`
		);
		expect(jobs).toEqual([
			{ task_identifier: 'automations_resume', n: waiting!.n },
			{ task_identifier: 'automations_schedule', n: 1 },
			{ task_identifier: 'segment_refresh', n: 8 }
		]);
		expect(waiting!.n).toBeLessThan(200);
	});

	it('has webhook deliveries and audit entries', async () => {
		const deliveries = await q<{ status: string }>(
			`select distinct status from public.webhook_deliveries order by status`
		);
		expect(deliveries.map((d) => d.status)).toEqual(['succeeded', 'failed']);
		const [audit] = await q<{ n: number; named: number }>(
			`select count(*)::int as n, count(actor_name)::int as named from public.audit_log a
			   join public.organizations o on o.id = a.org_id where o.slug = 'northwind'`
		);
		expect(audit!.n).toBeGreaterThan(5);
		expect(audit!.named).toBe(audit!.n);
	});

	it('has products, archived ones among them, and audiences that reach contacts with consent', async () => {
		const [products] = await q<{ n: number; archived: number }>(
			`select count(*)::int as n, count(archived_at)::int as archived from public.products p
			   join public.organizations o on o.id = p.org_id where o.slug = 'northwind'`
		);
		expect(products!.n).toBeGreaterThan(5);
		expect(products!.archived).toBeGreaterThan(0);
		const [reach] = await q<{ email: number; total: number }>(
			`select public.audience_reach(a.id, 'email')::int as email,
			        (select count(*)::int from public.contacts c where c.org_id = a.org_id) as total
			   from public.audiences a where a.name = 'VIPs and newsletter readers'`
		);
		expect(reach!.email).toBeGreaterThan(0);
		expect(reach!.email).toBeLessThan(reach!.total);
	});

	it('has a restock alert sent by SMS: delivered, a few undelivered, two STOP replies, in its report', async () => {
		const [send] = await q<{
			status: string;
			recipients: number;
			sent: number;
			failed: number;
			suppressed: number;
			parts: number;
		}>(
			`select s.status::text, s.recipients, s.sent, s.failed, s.suppressed,
			        (select sum(r.segments)::int from public.message_recipients r where r.campaign_id = s.campaign_id) as parts
			   from public.message_sends s join public.campaigns c on c.id = s.campaign_id
			  where c.name = 'Restock alert: rain jackets'`
		);
		expect(send!.status).toBe('finished');
		expect(send!.sent).toBeGreaterThan(10);
		expect(send!.suppressed).toBeGreaterThan(0);
		expect(send!.sent + send!.failed + send!.suppressed).toBe(send!.recipients);
		expect(send!.parts).toBe(send!.sent);
		const [report] = await q<{ delivered: number; unsubscribes: number }>(
			`select sum(h.delivered)::int as delivered, sum(h.unsubscribes)::int as unsubscribes
			   from public.message_report_hours h join public.campaigns c on c.id = h.campaign_id
			  where c.name = 'Restock alert: rain jackets'`
		);
		expect(report!.delivered).toBeGreaterThan(send!.sent * 0.8);
		expect(report!.unsubscribes).toBe(2);
	});

	it("has the June newsletter's subject test decided: the sample's best open rate won, the rest got it after the wait", async () => {
		const [test] = await q<{
			campaign_id: string;
			sample_size: number;
			winner: number;
			results: { variant: number; sent: number; opened: number }[];
			decided_at: Date;
			started_at: Date;
		}>(
			`select t.campaign_id, t.sample_size, t.winner, t.results, t.decided_at, s.started_at
			   from public.message_subject_tests t join public.message_sends s using (campaign_id)
			   join public.campaigns c on c.id = t.campaign_id
			  where c.name = 'June newsletter: new arrivals'`
		);
		expect(test!.results.map((r) => r.variant)).toEqual([0, 1, 2]);
		const rate = (r: { sent: number; opened: number }) => r.opened / r.sent;
		const best = Math.max(...test!.results.map(rate));
		expect(test!.results.find((r) => rate(r) === best)!.variant).toBe(test!.winner);
		expect(test!.decided_at.getTime() - test!.started_at.getTime()).toBe(4 * 3600_000);
		const variants = await q<{ variant: number; n: number; early: number }>(
			`select r.variant, count(*)::int as n,
			        count(*) filter (where r.sent_at < $2)::int as early
			   from public.message_recipients r
			  where r.campaign_id = $1 and r.status <> 'suppressed' group by r.variant order by r.variant`,
			[test!.campaign_id, test!.decided_at]
		);
		const total = variants.reduce((n, v) => n + v.n, 0);
		expect(test!.sample_size).toBe(Math.round(total * 0.2));
		// The losers were sent only in the sample, before the decision; the winner to everyone else after it.
		for (const v of variants.filter((x) => x.variant !== test!.winner)) {
			expect(v.n).toBeGreaterThan(test!.sample_size / 3 - 2);
			expect(v.n).toBeLessThan(test!.sample_size / 3 + 2);
		}
		const winner = variants.find((v) => v.variant === test!.winner)!;
		expect(winner.n).toBeGreaterThan(total - test!.sample_size);
		expect(
			await q(
				`select count(*)::int as n from public.events e
				   join public.message_recipients r on r.id = (e.payload->>'recipient_id')::uuid
				  where r.campaign_id = $1 and e.type in ('message.opened', 'message.clicked', 'message.sent')
				    and e.occurred_at < r.sent_at`,
				[test!.campaign_id]
			)
		).toEqual([{ n: 0 }]);
	});

	it('has a closed brand lift study with a significant and a not significant question, and one in review', async () => {
		const { report } = await import('../../src/lib/server/brand-lift/report.ts');
		const studies = await q<{ id: string; org_id: string; status: string }>(
			`select id, org_id, status::text from public.brand_lift_studies order by status::text`
		);
		expect(studies.map((s) => s.status)).toEqual(['closed', 'in_review']);
		const closed = studies.find((s) => s.status === 'closed')!;
		const r = await asService(db, (trx) => report(trx, closed.org_id, closed.id));
		expect(r.responses).toEqual({ exposed: 1400, control: 1200 });
		const verdicts = r.questions.map((x) => x.lift.enough && x.lift.significant);
		expect(verdicts).toEqual([true, false]);
		expect(
			await q(
				`select count(*)::int as n from public.brand_lift_comments where parent_id is not null`
			)
		).toEqual([{ n: 1 }]);
	});

	it('is the same data every time', async () => {
		const seconds = await loadDemo(second.url, { now });
		console.log(`demo workspace seeded again in ${seconds.toFixed(2)} s`);
		const other = new pg.Client({ connectionString: second.url });
		await other.connect();
		try {
			expect(await checksums(other)).toEqual(seeded);
		} finally {
			await other.end();
		}
	}, 120_000);
});
