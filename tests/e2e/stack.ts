// Where the E2E stack runs: written by `node platform/cli.ts e2e` (Playwright's
// webServer) before the app starts, read by the specs.
//
// playwright.config.ts starts it with:
//   webServer: { command: 'node platform/cli.ts e2e', url: 'http://127.0.0.1:4173', timeout: 120_000 }
// after `vite build` (the E2E runs against the production build, `node build`).
// The stack is a throwaway platform on free ports: Postgres, Auth API, mailbox.
import { readFileSync } from 'node:fs';

export type Stack = {
	appUrl: string;
	apiUrl: string;
	mailboxUrl: string;
	/** The data provider stand-in (plays data runs into the marketplace). */
	dataProviderUrl: string;
	/** The SMS/WhatsApp stand-in the worker sends through (what it received: GET /api/messages). */
	TWILIO_API_URL: string;
	DATABASE_URL: string;
	PUBLIC_SUPABASE_ANON_KEY: string;
	SUPABASE_SERVICE_ROLE_KEY: string;
};

let cached: Stack | undefined;

export function stack(): Stack {
	cached ??= JSON.parse(readFileSync('.data/e2e/stack.json', 'utf8')) as Stack;
	return cached;
}
