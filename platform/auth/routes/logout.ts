// POST /logout?scope=global|local|others: ends sessions (and with them their refresh
// tokens); access tokens already issued stay valid until they expire, as on Supabase.
import { Hono } from 'hono';
import { audit } from '../audit.ts';
import { inTransaction } from '../db.ts';
import type { AuthDeps } from '../deps.ts';
import { badRequest } from '../errors.ts';
import { requireUser } from '../guards.ts';
import { endSessions, type LogoutScope } from '../sessions.ts';

export function logoutRoutes(deps: AuthDeps): Hono {
	const app = new Hono();

	app.post('/logout', async (c) => {
		const { user, session } = await requireUser(c, deps);
		const requested = c.req.query('scope') ?? '';
		const scope: LogoutScope | undefined =
			requested === '' || requested === 'global'
				? 'global'
				: requested === 'local' || requested === 'others'
					? requested
					: undefined;
		if (!scope) throw badRequest('validation_failed', `Unsupported logout scope "${requested}"`);
		await inTransaction(deps.db, async (tx) => {
			await audit(tx, user, 'logout', deps.now());
			await endSessions(tx, user.id, session?.id ?? null, scope);
		});
		return c.body(null, 204);
	});

	return app;
}
