// The data-provider stand-in of the local platform (as platform/messaging is
// for SMS): it plays the provider's side of an external data run (a scraper or
// a data API such as Apify or InsightIQ) from fixtures, posting each status
// change of the run, with its results, to the app's data-runs webhook
// (supabase/functions/data-runs), signed with the shared secret exactly as the
// webhook checks it (HMAC-SHA256 over "<unix seconds>.<body>"). So the whole
// ingestion path runs offline.
//
//   GET  /                              the page: play a fixture, runs played and the webhook's answers
//   GET  /api/runs                      JSON for tests
//   POST /api/runs {fixture, org_id?}   play a run (success, partial, failed, timed_out); answers
//                                       with the run id, each delivery's answer and the items sent
import { createHmac, randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { html, trusted } from '../mailbox/html.ts';
import { startHttp } from '../mailbox/http.ts';
import { FIXTURE_LABELS, FIXTURES, fixtureDeliveries, type Fixture } from './fixtures.ts';

export const DEFAULT_DATA_PROVIDER_PORT = 54328;
export const PROVIDER = 'standin';

export type PlayedRun = {
	runId: string;
	fixture: Fixture;
	orgId: string | null;
	playedAt: string;
	deliveries: Array<{ status: string; items: number; answer: number | string; body: unknown }>;
	items: Array<Record<string, unknown>>;
};

export type DataProviderOptions = {
	httpPort: number;
	host?: string;
	/** The app's data-runs webhook (…/functions/v1/data-runs). */
	webhookUrl: string;
	/** DATA_RUNS_WEBHOOK_SECRET, shared with the webhook. */
	secret: string;
	onLog?: (line: string) => void;
};

export type RunningDataProvider = {
	url: string;
	port: number;
	runs(): PlayedRun[];
	play(fixture: Fixture, orgId?: string | null): Promise<PlayedRun>;
	stop(): Promise<void>;
};

/** A fresh local secret for the webhook (the functions get it as DATA_RUNS_WEBHOOK_SECRET). */
export function standInSecret(): string {
	return randomBytes(32).toString('base64url');
}

function signature(secret: string, body: string): string {
	const t = Math.floor(Date.now() / 1000);
	return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function startDataProvider(opts: DataProviderOptions): Promise<RunningDataProvider> {
	const log = opts.onLog ?? (() => {});
	const played: PlayedRun[] = [];

	async function post(
		body: Record<string, unknown>
	): Promise<{ answer: number | string; body: unknown }> {
		const raw = JSON.stringify(body);
		try {
			const res = await fetch(opts.webhookUrl, {
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					'x-growthdesk-signature': signature(opts.secret, raw)
				},
				body: raw,
				signal: AbortSignal.timeout(60_000)
			});
			return { answer: res.status, body: await res.json().catch(() => null) };
		} catch (e) {
			return { answer: (e as Error).message, body: null };
		}
	}

	async function play(fixture: Fixture, orgId: string | null = null): Promise<PlayedRun> {
		// Each play grows followers by 5 % more than the one before (visible on the page).
		const growth = 1 + 0.05 * (played.length + 1);
		const run: PlayedRun = {
			runId: `standin-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`,
			fixture,
			orgId,
			playedAt: new Date().toISOString(),
			deliveries: [],
			items: []
		};
		played.unshift(run);
		const startedAt = new Date().toISOString();
		let results = 0;
		for (const d of fixtureDeliveries(fixture, growth)) {
			results += d.items.length;
			const finished = !['created', 'ready', 'running'].includes(d.status);
			const { answer, body } = await post({
				provider: PROVIDER,
				run_id: run.runId,
				task_id: `fixture-${fixture}`,
				status: d.status,
				started_at: startedAt,
				...(finished ? { finished_at: new Date().toISOString() } : {}),
				...(d.message ? { message: d.message } : {}),
				results_count: results,
				org_id: orgId,
				metadata: { fixture, growth },
				items: d.items
			});
			run.deliveries.push({ status: d.status, items: d.items.length, answer, body });
			run.items.push(...d.items);
			log(`run ${run.runId} ${d.status} (${d.items.length} items) → ${String(answer)}`);
		}
		return run;
	}

	const app = new Hono();
	app.use('*', async (c, next) => {
		await next();
		c.header('Cache-Control', 'no-store');
		c.header('X-Content-Type-Options', 'nosniff');
	});
	app.get('/api/runs', (c) => c.json({ runs: played }));
	app.post('/api/runs', async (c) => {
		const { fixture, org_id } = (await c.req.json().catch(() => ({}))) as {
			fixture?: string;
			org_id?: string;
		};
		if (!fixture || !(FIXTURES as readonly string[]).includes(fixture))
			return c.json({ error: `fixture: one of ${FIXTURES.join(', ')}` }, 400);
		if (org_id !== undefined && org_id !== null && !UUID.test(org_id))
			return c.json({ error: 'org_id: an organization id' }, 400);
		return c.json(await play(fixture as Fixture, org_id ?? null));
	});
	// The page's buttons (same-origin form posts only).
	app.post('/runs', csrf(), async (c) => {
		const form = await c.req.parseBody();
		const fixture = typeof form.fixture === 'string' ? form.fixture : '';
		if ((FIXTURES as readonly string[]).includes(fixture)) await play(fixture as Fixture);
		return c.redirect('/', 303);
	});
	app.get('/', (c) => {
		c.header(
			'Content-Security-Policy',
			"script-src 'none'; object-src 'none'; form-action 'self'; frame-ancestors 'none'"
		);
		return c.html(page(played, opts.webhookUrl).__html);
	});

	const http = await startHttp(app, {
		port: opts.httpPort,
		host: opts.host ?? '127.0.0.1',
		what: 'The data provider stand-in',
		envVar: 'GD_DATA_PROVIDER_PORT'
	});
	const url = `http://${opts.host ?? '127.0.0.1'}:${http.port}`;
	log(`data provider stand-in ${url}`);
	return { url, port: http.port, runs: () => [...played], play, stop: () => http.close() };
}

const STYLE = trusted(`body { margin: 0; font: 15px/1.5 system-ui, sans-serif; }
main { max-width: 64rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: .5rem; border-bottom: 1px solid #d4d4dc; vertical-align: top; }
th { font-size: .8rem; text-transform: uppercase; color: #667; }
form { display: inline-flex; gap: .25rem; margin: .15rem 0; }
select, button { font: inherit; padding: .2rem .5rem; }
.muted { color: #667; } .empty { padding: 3rem; text-align: center; border: 1px dashed #d4d4dc; }`);

function page(runs: PlayedRun[], webhookUrl: string) {
	return html`<!doctype html>
		<html lang="en">
			<head>
				<meta charset="utf-8" />
				<title>Data provider · Growthdesk local platform</title>
				<style>
					${STYLE}
				</style>
			</head>
			<body>
				<main>
					<h1>Data provider</h1>
					<p class="muted">
						Plays an influencer data provider's runs from fixtures: each status change is posted,
						signed, to ${webhookUrl}, which refreshes the marketplace.
					</p>
					<form method="post" action="/runs">
						<select name="fixture" aria-label="Run to play">
							${FIXTURES.map((f) => html`<option value="${f}">${FIXTURE_LABELS[f]}</option>`)}
						</select>
						<button>Play run</button>
					</form>
					${
						runs.length === 0
							? html`<p class="empty">No runs played yet.</p>`
							: html`<table>
									<thead>
										<tr>
											<th>Played</th>
											<th>Run</th>
											<th>Fixture</th>
											<th>Deliveries</th>
										</tr>
									</thead>
									<tbody>
										${runs.map(
											(r) =>
												html`<tr>
													<td class="muted">${new Date(r.playedAt).toLocaleString('en-GB')}</td>
													<td>${r.runId}</td>
													<td>${FIXTURE_LABELS[r.fixture]}</td>
													<td>
														${r.deliveries.map(
															(d) =>
																html`<div>
																	${d.status} (${d.items} profiles) → ${String(d.answer)}
																</div>`
														)}
													</td>
												</tr>`
										)}
									</tbody>
								</table>`
					}
				</main>
			</body>
		</html>`;
}
