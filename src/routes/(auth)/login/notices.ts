// Short notes other pages send people to sign-in with (`/login?notice=…`).
import type { FormMessage } from '$lib/forms';

const notices: Record<string, FormMessage> = {
	confirmed: { tone: 'success', text: 'Your email address is confirmed. Sign in to continue.' },
	'signed-out': { tone: 'info', text: 'You have signed out.' }
};

export function noticeFor(key: string | null): FormMessage | null {
	return (key && notices[key]) || null;
}
