// "Email me a sign-in link" (the app's sendSignInLink against the real Auth API): an
// address with an account gets a link and a code; one without gets the same answer and
// no email, so the form never tells who has an account.
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '../../src/lib/database.types.ts';
import { sendSignInLink, verifyEmailCode } from '../../src/lib/server/auth/service.ts';
import { waitForMail } from '../helpers/mailbox.ts';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.ts';
import { codeIn, confirmedUser, uniqueEmail } from './support.ts';

let platform: TestPlatform;

/** A client typed as the app's own (the service functions take one). */
function anonClient(platform: TestPlatform) {
	return createClient<Database>(platform.apiUrl, platform.anonKey, {
		auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false }
	});
}

beforeAll(async () => {
	platform = await startTestPlatform();
});

afterAll(async () => {
	await platform?.stop();
});

describe('sendSignInLink', () => {
	test('an account gets a link and a code that signs in', async () => {
		const user = await confirmedUser(platform);
		const since = new Date().toISOString();
		const supabase = anonClient(platform);
		await sendSignInLink(supabase, user.email, 'http://127.0.0.1:3000/auth/callback');
		const mail = await waitForMail(platform.mailboxUrl, user.email, { after: since });
		await verifyEmailCode(supabase, { email: user.email, code: codeIn(mail), type: 'magiclink' });
		const { data } = await supabase.auth.getUser();
		expect(data.user?.email).toBe(user.email);
	});

	test('an address without an account gets the same answer and no email', async () => {
		const email = uniqueEmail('nobody');
		await expect(
			sendSignInLink(anonClient(platform), email, 'http://127.0.0.1:3000/auth/callback')
		).resolves.toBeUndefined();
		// Auth refuses such an address before any mail is queued; a second is plenty to see none.
		await expect(waitForMail(platform.mailboxUrl, email, { timeoutMs: 1000 })).rejects.toThrow();
	});

	test('a wrong code is refused on the code field', async () => {
		const user = await confirmedUser(platform);
		await expect(
			verifyEmailCode(anonClient(platform), {
				email: user.email,
				code: '000000',
				type: 'magiclink'
			})
		).rejects.toMatchObject({ field: 'code', status: 400 });
	});
});
