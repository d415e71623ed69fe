// Shared steps of the Auth API tests: clients made the way the app makes them, users made
// through the API, and following the links Auth emails.
import { createClient } from '@supabase/supabase-js';
import { expect } from 'vitest';
import { linksIn, waitForMail, type MailMessage } from '../helpers/mailbox.ts';
import type { TestPlatform } from '../helpers/platform.ts';

let counter = 0;

/** A unique address per call, so tests in one file never share users. */
export function uniqueEmail(label: string): string {
	counter += 1;
	return `${label}-${Date.now().toString(36)}-${counter}@example.com`;
}

/** A browser-less client as the app's server code makes one. */
export function anonClient(platform: TestPlatform, flowType: 'implicit' | 'pkce' = 'implicit') {
	return createClient(platform.apiUrl, platform.anonKey, {
		auth: {
			persistSession: false,
			autoRefreshToken: false,
			detectSessionInUrl: false,
			flowType
		}
	});
}

/** A client with the service role key: admin API calls. */
export function serviceClient(platform: TestPlatform) {
	return createClient(platform.apiUrl, platform.serviceRoleKey, {
		auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false }
	});
}

/** A confirmed user, made with the admin API (fast: no email round trip). */
export async function confirmedUser(
	platform: TestPlatform,
	password = 'correct-horse-battery',
	data: Record<string, unknown> = {}
): Promise<{ email: string; password: string; id: string }> {
	const email = uniqueEmail('user');
	const { data: created, error } = await serviceClient(platform).auth.admin.createUser({
		email,
		password,
		email_confirm: true,
		user_metadata: data
	});
	expect(error).toBeNull();
	return { email, password, id: created.user?.id ?? '' };
}

/** A client signed in as a fresh confirmed user. */
export async function signedInClient(
	platform: TestPlatform
): Promise<{ client: ReturnType<typeof anonClient>; email: string; password: string; id: string }> {
	const user = await confirmedUser(platform);
	const client = anonClient(platform);
	const { error } = await client.auth.signInWithPassword({
		email: user.email,
		password: user.password
	});
	expect(error).toBeNull();
	return { client, ...user };
}

export function mailTo(
	platform: TestPlatform,
	to: string,
	after: string,
	subject?: RegExp
): Promise<MailMessage> {
	return waitForMail(platform.mailboxUrl, to, { after, subject });
}

/** True if nothing reached `to` since `after` within a short wait (mail arrives in ms). */
export async function noMailTo(
	platform: TestPlatform,
	to: string,
	after: string,
	waitMs = 300
): Promise<boolean> {
	try {
		await waitForMail(platform.mailboxUrl, to, { after, timeoutMs: waitMs });
		return false;
	} catch {
		return true;
	}
}

/** The first link of a mail (the {{ .ConfirmationURL }} of Auth's templates). */
export function firstLink(mail: MailMessage): string {
	const [link] = linksIn(mail);
	if (!link) throw new Error(`no link in "${mail.subject}"`);
	return link;
}

/** The one-time code Auth's templates print after the link. */
export function codeIn(mail: MailMessage): string {
	const match = /code: (\d{6,10})/.exec(mail.text);
	if (!match?.[1]) throw new Error(`no code in "${mail.subject}": ${mail.text}`);
	return match[1];
}

/** Opens an email link as a browser would, without following Auth's redirect. */
export async function openLink(link: string): Promise<{ status: number; location: URL }> {
	const response = await fetch(link, { redirect: 'manual' });
	const location = response.headers.get('location');
	if (!location) throw new Error(`${link} answered ${response.status} without a redirect`);
	return { status: response.status, location: new URL(location) };
}

/** Parameters of the fragment Auth redirects to (#access_token=…&refresh_token=…). */
export function fragment(url: URL): URLSearchParams {
	return new URLSearchParams(url.hash.slice(1));
}

/** Calls the Auth API directly: only for input supabase-js cannot send. */
export function rawAuth(
	platform: TestPlatform,
	path: string,
	init: RequestInit & { apikey?: string | null; version?: string | null } = {}
): Promise<Response> {
	const headers = new Headers(init.headers);
	const apikey = init.apikey === undefined ? platform.anonKey : init.apikey;
	if (apikey !== null) headers.set('apikey', apikey);
	const version = init.version === undefined ? '2024-01-01' : init.version;
	if (version !== null) headers.set('X-Supabase-Api-Version', version);
	if (init.body !== undefined && !headers.has('content-type')) {
		headers.set('content-type', 'application/json');
	}
	return fetch(`${platform.apiUrl}/auth/v1${path}`, { ...init, headers });
}
