// Where the Storage tests run: the local platform by default, or a real Supabase project when
// SUPABASE_URL, SUPABASE_ANON_KEY and SUPABASE_SERVICE_ROLE_KEY are set (the contract suite
// then checks that the stand-in and Storage answer alike). Clients record the HTTP status of
// every response, so a test asserts both the status Storage sends and the body's statusCode.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';

export type StorageTarget = {
	url: string;
	anonKey: string;
	serviceRoleKey: string;
	/** The local platform (absent against a real project). */
	platform?: TestPlatform;
	/** HTTP statuses of the responses, newest last. */
	statuses: number[];
	lastStatus(): number | undefined;
	client(key: string, accessToken?: string): SupabaseClient;
	/** A new confirmed user, signed in: a client with their session and their id. */
	signedInUser(): Promise<{ client: SupabaseClient; id: string; accessToken: string }>;
	stop(): Promise<void>;
};

export async function startStorageTarget(): Promise<StorageTarget> {
	const remote = process.env.SUPABASE_URL;
	const platform = remote ? undefined : await startTestPlatform();
	const url = remote ?? platform!.apiUrl;
	const anonKey = process.env.SUPABASE_ANON_KEY ?? platform!.anonKey;
	const serviceRoleKey = process.env.SUPABASE_SERVICE_ROLE_KEY ?? platform!.serviceRoleKey;
	const statuses: number[] = [];
	const recordingFetch: typeof fetch = async (input, init) => {
		const response = await fetch(input, init);
		statuses.push(response.status);
		return response;
	};
	const client = (key: string, accessToken?: string) =>
		createClient(url, key, {
			auth: { persistSession: false, autoRefreshToken: false },
			global: {
				fetch: recordingFetch,
				headers: accessToken ? { Authorization: `Bearer ${accessToken}` } : {}
			}
		});
	const admin = client(serviceRoleKey);
	return {
		url,
		anonKey,
		serviceRoleKey,
		platform,
		statuses,
		lastStatus: () => statuses.at(-1),
		client,
		async signedInUser() {
			const email = `storage-${randomUUID().slice(0, 8)}@example.test`;
			const password = `pw-${randomUUID()}`;
			const created = await admin.auth.admin.createUser({ email, password, email_confirm: true });
			if (created.error) throw created.error;
			const auth = client(anonKey);
			const { data, error } = await auth.auth.signInWithPassword({ email, password });
			if (error || !data.session) throw error ?? new Error('no session');
			return {
				client: client(anonKey, data.session.access_token),
				id: data.session.user.id,
				accessToken: data.session.access_token
			};
		},
		stop: async () => {
			await platform?.stop();
		}
	};
}

/** A bucket name no other run uses. */
export const bucketName = (label: string) => `t-${label}-${randomUUID().slice(0, 8)}`;

/** `data` in pieces of `size` bytes, as a socket would deliver it. */
export function pieces(data: Buffer, size: number): Readable {
	const parts: Buffer[] = [];
	for (let at = 0; at < data.length; at += size) parts.push(data.subarray(at, at + size));
	return Readable.from(parts);
}
