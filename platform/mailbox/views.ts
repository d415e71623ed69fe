// The viewer's pages, as plain server-rendered HTML with inline CSS: no build step, no client
// script (the CSP in routes.ts forbids scripts outright). Everything interpolated goes through
// `html`, which escapes it.
import { html, trusted, type Html, type Renderable } from './html.ts';
import { linksIn } from './links.ts';
import { splitUrls } from './text.ts';
import type { MailMessage } from './types.ts';

export type ViewInfo = { smtp: string };

const STYLE = `:root { color-scheme: light dark; --muted: #667; --line: #d4d4dc; --accent: #2b59c3; }
@media (prefers-color-scheme: dark) { :root { --muted: #a0a0b0; --line: #3a3a46; --accent: #8fb0ff; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif; }
main { max-width: 64rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; overflow-wrap: anywhere; }
h2 { font-size: 1.05rem; margin: 2rem 0 .5rem; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.muted { color: var(--muted); }
.bar { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; justify-content: space-between; margin: 1.25rem 0; }
form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin: 0; }
label { display: block; font-weight: 600; font-size: .85rem; }
input { font: inherit; padding: .4rem .6rem; min-width: 18rem; border: 1px solid var(--line); border-radius: 6px; }
button { font: inherit; padding: .4rem .9rem; border: 1px solid var(--line); border-radius: 6px; background: transparent; cursor: pointer; }
table { width: 100%; border-collapse: collapse; }
caption { text-align: left; color: var(--muted); padding-bottom: .5rem; }
th, td { text-align: left; padding: .55rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
th { font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
td.time { white-space: nowrap; color: var(--muted); }
.empty { padding: 3rem 1rem; text-align: center; border: 1px dashed var(--line); border-radius: 8px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 1rem 0; }
dt { font-weight: 600; color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
iframe { width: 100%; height: 70vh; border: 1px solid var(--line); border-radius: 8px; background: #fff; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; font: 14px/1.5 ui-monospace, monospace; padding: 1rem; border: 1px solid var(--line); border-radius: 8px; margin: 0; }
ul.links { padding-left: 1.25rem; overflow-wrap: anywhere; }`;

function page(title: string, body: Html): string {
	return html`<!doctype html>
		<html lang="en">
			<head>
				<meta charset="utf-8" />
				<meta name="viewport" content="width=device-width, initial-scale=1" />
				<title>${title} · Growthdesk dev mailbox</title>
				<style>
					${trusted(STYLE)}
				</style>
			</head>
			<body>
				<main>${body}</main>
			</body>
		</html>`.__html;
}

export function listPage(messages: MailMessage[], filterTo: string, info: ViewInfo): string {
	const hasFilter = filterTo.trim() !== '';
	return page(
		hasFilter ? `Mail to ${filterTo}` : 'Inbox',
		html`<h1>Dev mailbox</h1>
			<p class="muted">
				Every email the local platform and app send (SMTP ${info.smtp}) lands here. Nothing leaves
				this machine.
			</p>
			<div class="bar">
				<form method="get" action="/" role="search">
					<div>
						<label for="to">Recipient</label>
						<input
							id="to"
							name="to"
							type="search"
							value="${filterTo}"
							placeholder="someone@example.com"
							autocomplete="off"
						/>
					</div>
					<button type="submit">Filter</button>
					${hasFilter && html`<a href="/">Show all mail</a>`}
				</form>
				<div>
					<a href="${hasFilter ? `/?to=${encodeURIComponent(filterTo)}` : '/'}">Refresh</a>
				</div>
				${
					messages.length > 0 &&
					!hasFilter &&
					html`<form method="post" action="/clear">
						<button type="submit">Delete all mail</button>
					</form>`
				}
			</div>
			${messages.length > 0 ? messageTable(messages) : emptyState(filterTo)}`
	);
}

function emptyState(filterTo: string): Html {
	if (filterTo.trim() === '') {
		return html`<p class="empty">No mail yet — emails sent by the local platform appear here.</p>`;
	}
	return html`<p class="empty">
		No mail to <strong>${filterTo}</strong> yet. <a href="/">Show all mail</a>
	</p>`;
}

function messageTable(messages: MailMessage[]): Html {
	const rows = messages.map(
		(m) =>
			html`<tr>
				<td>${recipients(m.to)}</td>
				<td><a href="/messages/${encodeURIComponent(m.id)}">${m.subject || '(no subject)'}</a></td>
				<td>${m.from}</td>
				<td class="time">${time(m.receivedAt)}</td>
			</tr>`
	);
	return html`<table>
		<caption>
			${messages.length === 1 ? '1 message' : `${messages.length} messages`}, newest first
		</caption>
		<thead>
			<tr>
				<th scope="col">To</th>
				<th scope="col">Subject</th>
				<th scope="col">From</th>
				<th scope="col">Received</th>
			</tr>
		</thead>
		<tbody>
			${rows}
		</tbody>
	</table>`;
}

function recipients(to: string[]): Renderable {
	return to.map((address, i) => html`${i > 0 && ', '}${recipientLink(address)}`);
}

// Clicking an address filters the list to it.
function recipientLink(address: string): Html {
	const href = `/?to=${encodeURIComponent(address)}`;
	return html`<a href="${href}" title="Only mail to ${address}">${address}</a>`;
}

function time(iso: string): Html {
	const date = new Date(iso);
	const label = Number.isNaN(date.getTime())
		? iso
		: date.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });
	return html`<time datetime="${iso}">${label}</time>`;
}

export function messagePage(m: MailMessage, info: ViewInfo): string {
	const links = linksIn(m);
	return page(
		m.subject || '(no subject)',
		html`<p><a href="/">← All mail</a></p>
			<h1>${m.subject || '(no subject)'}</h1>
			<dl>
				<dt>From</dt>
				<dd>${m.from || '(unknown)'}</dd>
				<dt>To</dt>
				<dd>${m.to.join(', ')}</dd>
				<dt>Received</dt>
				<dd>${time(m.receivedAt)}</dd>
				<dt>ID</dt>
				<dd><a href="/api/messages/${encodeURIComponent(m.id)}">${m.id}</a> (JSON)</dd>
			</dl>
			${
				m.html !== null &&
				html`<section aria-labelledby="html-body">
					<h2 id="html-body">HTML</h2>
					<iframe
						title="HTML body of “${m.subject}”"
						sandbox="allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation"
						referrerpolicy="no-referrer"
						srcdoc="${withLinksInNewTab(m.html)}"
					></iframe>
				</section>`
			}
			${
				links.length > 0 &&
				html`<section aria-labelledby="links">
					<h2 id="links">Links</h2>
					<ul class="links">
						${links.map((href) => html`<li>${link(href, href)}</li>`)}
					</ul>
				</section>`
			}
			<section aria-labelledby="text-body">
				<h2 id="text-body">Text</h2>
				<pre>${m.text ? linkify(m.text) : html`<span class="muted">(no text body)</span>`}</pre>
			</section>
			<p class="muted">Caught by the dev mailbox on SMTP ${info.smtp}.</p>`
	);
}

export function notFoundPage(what: string): string {
	return page(
		'Not found',
		html`<h1>Not found</h1>
			<p>${what}</p>
			<p><a href="/">← All mail</a></p>`
	);
}

// A `<base target>` makes every link in the email open in a new tab (the sandbox lets such
// popups escape it), so following a confirmation link keeps the mailbox open. Inserted into
// <head> when there is one, so the email's doctype stays first.
function withLinksInNewTab(body: string): string {
	const base = '<base target="_blank">';
	const head = /<head\b[^>]*>/i.exec(body);
	if (!head) return base + body;
	const end = head.index + head[0].length;
	return body.slice(0, end) + base + body.slice(end);
}

function linkify(text: string): Renderable {
	return splitUrls(text).map((piece) => ('url' in piece ? link(piece.url, piece.url) : piece.text));
}

// Only web and mail links become clickable: an email's `javascript:` href stays text.
function link(href: string, label: string): Html {
	if (!/^(https?:|mailto:)/i.test(href)) return html`${label}`;
	return html`<a href="${href}" target="_blank" rel="noopener noreferrer">${label}</a>`;
}
