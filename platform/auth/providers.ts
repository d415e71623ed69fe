// OAuth / OIDC providers. None is enabled locally (README: not implemented), but the routes that
// name one answer as GoTrue does with all of them disabled, so a client sees the same error
// here as on a project where the provider is off: a provider GoTrue knows is "not enabled", a
// name it does not know is a validation error (internal/api/external.go, token_oidc.go).
import { AuthError, badRequest } from './errors.ts';

/** The providers GET /authorize knows (GoTrue's Provider switch). */
export const OAUTH_PROVIDERS = [
	'apple',
	'azure',
	'bitbucket',
	'discord',
	'facebook',
	'figma',
	'fly',
	'github',
	'gitlab',
	'google',
	'kakao',
	'keycloak',
	'linkedin',
	'linkedin_oidc',
	'notion',
	'snapchat',
	'spotify',
	'slack',
	'slack_oidc',
	'twitch',
	'twitter',
	'x',
	'vercel_marketplace',
	'workos',
	'zoom'
];

/** GET /authorize?provider=… and linkIdentity: every provider is disabled or unknown. */
export function authorizeProviderError(name: string): AuthError {
	const provider = name.toLowerCase();
	const reason = provider.startsWith('custom:')
		? 'custom OAuth providers are disabled'
		: OAUTH_PROVIDERS.includes(provider)
			? 'provider is not enabled'
			: `Provider ${provider} could not be found`;
	return badRequest('validation_failed', `Unsupported provider: ${reason}`);
}

/** The issuers signInWithIdToken recognises a provider by. */
const ID_TOKEN_ISSUERS: Record<string, string> = {
	google: 'https://accounts.google.com',
	facebook: 'https://www.facebook.com',
	kakao: 'https://kauth.kakao.com',
	vercel_marketplace: 'https://marketplace.vercel.com',
	snapchat: 'https://accounts.snapchat.com/accounts/oauth2/token'
};

const APPLE_ISSUERS = ['https://appleid.apple.com', 'https://account.apple.com'];
const AZURE_ISSUER = /^https:\/\/login[.]microsoftonline[.]com\/([^/]+)\/v2[.]0\/?$/;

/** The `iss` of an ID token, read without verifying it (GoTrue detects Apple/Azure so). */
function unverifiedIssuer(idToken: string): string | null {
	const parts = idToken.split('.');
	if (parts.length !== 3) return null;
	try {
		const payload: unknown = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString());
		if (typeof payload !== 'object' || payload === null) return null;
		const iss = (payload as Record<string, unknown>).iss;
		return typeof iss === 'string' ? iss : '';
	} catch {
		return null;
	}
}

/** POST /token?grant_type=id_token: the error GoTrue's getProvider ends in. */
export function idTokenProviderError(provider: string, issuer: string, idToken: string): AuthError {
	const disabled = (iss: string) =>
		badRequest('provider_disabled', `Provider (issuer "${iss}") is not enabled`);
	if (provider === 'apple' || APPLE_ISSUERS.includes(issuer)) {
		const detected = unverifiedIssuer(idToken);
		if (detected === null) {
			return badRequest(
				'validation_failed',
				'Unable to detect issuer in ID token for Apple provider'
			);
		}
		if (!APPLE_ISSUERS.includes(detected)) {
			return badRequest(
				'validation_failed',
				'Detected ID token issuer is not an Apple ID token issuer'
			);
		}
		if (issuer !== '' && issuer !== detected) {
			return badRequest('validation_failed', 'Provided issuer does not match ID token issuer');
		}
		return disabled(detected);
	}
	const known = Object.entries(ID_TOKEN_ISSUERS).find(
		([name, iss]) => provider === name || issuer === iss
	);
	if (known) return disabled(known[1]);
	if (provider === 'azure' || AZURE_ISSUER.test(issuer)) {
		const detected = unverifiedIssuer(idToken);
		if (detected === null) {
			return badRequest(
				'validation_failed',
				'Unable to detect issuer in ID token for Azure provider'
			);
		}
		if (
			!detected.startsWith('https://login.microsoftonline.com/') &&
			!detected.startsWith('https://sts.windows.net/')
		) {
			return badRequest(
				'validation_failed',
				'Detected ID token issuer is not an Azure ID token issuer'
			);
		}
		if (issuer !== '' && issuer !== detected) {
			return badRequest('validation_failed', 'Provided issuer does not match ID token issuer');
		}
		return disabled(detected);
	}
	if (provider === 'keycloak') return disabled('');
	if (provider.startsWith('custom:')) {
		return badRequest('validation_failed', 'Custom OAuth providers are disabled');
	}
	return badRequest('validation_failed', `Custom OIDC provider "${provider}" not allowed`);
}
