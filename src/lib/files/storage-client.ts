// The browser's Storage client: supabase-js with the signed-in person's access
// token, fetched from the app (the session cookie is httpOnly) and fetched again
// a minute before it expires. Every request goes straight to Storage, which
// checks it against the policies on storage.objects as that person.
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { env } from '$env/dynamic/public';

type Token = { accessToken: string; expiresAt: number };

export type StorageSession = {
	client: SupabaseClient;
	/** The current access token (fetched again when it is about to expire). */
	token(): Promise<string>;
	url: string;
	anonKey: string;
};

export class SessionExpiredError extends Error {
	override readonly name = 'SessionExpiredError';
	constructor() {
		super('Your session has ended. Sign in again to keep working with files.');
	}
}

/** A Storage client for the person; `sessionUrl` is the app's /<org>/files/session. */
export function storageSession(sessionUrl: string): StorageSession {
	const url = env.PUBLIC_SUPABASE_URL ?? '';
	const anonKey = env.PUBLIC_SUPABASE_ANON_KEY ?? '';
	let current: Token | null = null;
	let pending: Promise<Token> | null = null;

	async function fetchToken(): Promise<Token> {
		const response = await fetch(sessionUrl, { headers: { accept: 'application/json' } });
		if (!response.ok) throw new SessionExpiredError();
		return (await response.json()) as Token;
	}

	async function token(): Promise<string> {
		const fresh = current && current.expiresAt * 1000 - Date.now() > 60_000;
		if (!fresh) {
			pending ??= fetchToken().finally(() => (pending = null));
			current = await pending;
		}
		return current!.accessToken;
	}

	const client = createClient(url, anonKey, { accessToken: token });
	return { client, token, url, anonKey };
}
