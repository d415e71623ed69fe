// Edge function: deliveries of external data runs land in the marketplace (see handler.ts).
// Called by data providers, so config.toml turns Supabase's JWT check off for it;
// the HMAC signature under DATA_RUNS_WEBHOOK_SECRET authenticates a request.
import { createHandler } from './handler.ts';
import { createPgStore } from './store.ts';

const dbUrl = Deno.env.get('SUPABASE_DB_URL');
if (!dbUrl) throw new Error('SUPABASE_DB_URL is not set');

Deno.serve(
	createHandler({ store: createPgStore(dbUrl), secret: Deno.env.get('DATA_RUNS_WEBHOOK_SECRET') })
);
