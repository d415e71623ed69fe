// Edge function: signed incoming webhooks create or update contacts (see handler.ts).
// Called by third parties, so config.toml turns Supabase's JWT check off for it;
// the HMAC signature is what authenticates a request.
import { createHandler } from './handler.ts';
import { createPgStore } from './store.ts';

const dbUrl = Deno.env.get('SUPABASE_DB_URL');
if (!dbUrl) throw new Error('SUPABASE_DB_URL is not set');

Deno.serve(createHandler({ store: createPgStore(dbUrl) }));
