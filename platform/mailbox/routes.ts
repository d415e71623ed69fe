// The mailbox's HTTP surface: the viewer pages for people, and a small JSON API for tests
// (tests/helpers/mailbox.ts polls it). Routes stay thin; pages are rendered in views.ts.
import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import type { MailStore } from './store.ts';
import { listPage, messagePage, notFoundPage, type ViewInfo } from './views.ts';

// The viewer needs no script at all, so none may run: a mistake in escaping, or a hostile
// email, still cannot execute anything. The sandboxed srcdoc iframe inherits this policy.
// Deliberately no `default-src`: emails keep their remote images, styles and fonts, and the
// srcdoc frame is never at the mercy of a `frame-src` fallback.
const PAGE_CSP = [
	"script-src 'none'",
	"object-src 'none'",
	"form-action 'self'",
	"frame-ancestors 'none'"
].join('; ');

export function createRoutes(store: MailStore, info: ViewInfo): Hono {
	const app = new Hono();

	app.use('*', async (c, next) => {
		await next();
		// Mail changes all the time; a cached list would hide the email someone is waiting for.
		c.header('Cache-Control', 'no-store');
		c.header('X-Content-Type-Options', 'nosniff');
		if (!c.req.path.startsWith('/api/')) {
			c.header('Content-Security-Policy', PAGE_CSP);
			c.header('Referrer-Policy', 'no-referrer');
		}
	});

	app.get('/', (c) => {
		const to = c.req.query('to') ?? '';
		return c.html(listPage(store.list({ to }), to, info));
	});

	app.get('/messages/:id', (c) => {
		const message = store.get(c.req.param('id'));
		if (!message) return c.html(notFoundPage('There is no message with this id.'), 404);
		return c.html(messagePage(message, info));
	});

	// The "Delete all mail" button. Same-origin only, so another site open in the browser
	// cannot empty the mailbox with a cross-site form post.
	app.post('/clear', csrf(), (c) => {
		store.clear();
		return c.redirect('/', 303);
	});

	app.get('/api/messages', (c) => {
		return c.json({ messages: store.list({ to: c.req.query('to') }) });
	});

	app.get('/api/messages/:id', (c) => {
		const message = store.get(c.req.param('id'));
		if (!message) return c.json({ error: `No message with id ${c.req.param('id')}` }, 404);
		return c.json(message);
	});

	app.delete('/api/messages', (c) => {
		store.clear();
		return c.body(null, 204);
	});

	app.notFound((c) => {
		if (c.req.path.startsWith('/api/')) {
			return c.json({ error: `No route ${c.req.method} ${c.req.path}` }, 404);
		}
		return c.html(notFoundPage(`There is no page at ${c.req.path}.`), 404);
	});

	return app;
}
