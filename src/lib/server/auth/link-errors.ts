// What went wrong with an email link, by the Auth server's error code. Only known
// codes get their own words: the page never echoes text from its URL.
export type LinkProblem = { title: string; text: string; retry: 'signup' | 'reset' | 'login' };

const problems: Record<string, LinkProblem> = {
	otp_expired: {
		title: 'This link has expired',
		text: 'Links in our emails work once and only for a while. Request a new one and use it soon after it arrives.',
		retry: 'login'
	},
	pkce_code_verifier_not_found: {
		title: 'Open the link in the same browser',
		text: 'For your security, a link from our emails only works in the browser where you asked for it. Request a new link from this browser.',
		retry: 'reset'
	},
	flow_state_expired: {
		title: 'This link has expired',
		text: 'The sign-in it belonged to took too long. Request a new link.',
		retry: 'login'
	},
	flow_state_not_found: {
		title: 'This link was already used',
		text: 'Each link works once. If you are not signed in yet, request a new one.',
		retry: 'login'
	},
	bad_code_verifier: {
		title: 'Open the link in the same browser',
		text: 'For your security, a link from our emails only works in the browser where you asked for it.',
		retry: 'login'
	},
	access_denied: {
		title: 'This link is not valid any more',
		text: 'It may have expired or been used already. Request a new one.',
		retry: 'login'
	},
	user_banned: {
		title: 'This account is suspended',
		text: 'Contact your administrator or support if you think this is a mistake.',
		retry: 'login'
	}
};

const fallback: LinkProblem = {
	title: 'We could not sign you in with this link',
	text: 'The link may be incomplete, expired or already used. Request a new one, or sign in.',
	retry: 'login'
};

export function problemFor(code: string | null): LinkProblem {
	return (code && problems[code]) || fallback;
}

/** Where to send someone whose link failed with `code` (any string; only [a-z0-9_] is kept). */
export function linkErrorUrl(code: string): string {
	const clean =
		code
			.toLowerCase()
			.replace(/[^a-z0-9_]/g, '')
			.slice(0, 64) || 'unknown';
	return `/auth/error?error_code=${clean}`;
}
