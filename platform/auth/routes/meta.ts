// GET /health, GET /settings, GET /.well-known/jwks.json.
import { Hono } from 'hono';
import type { AuthDeps } from '../deps.ts';

const oauthProviders = [
	'apple',
	'azure',
	'bitbucket',
	'discord',
	'facebook',
	'snapchat',
	'figma',
	'fly',
	'github',
	'gitlab',
	'google',
	'keycloak',
	'kakao',
	'linkedin',
	'linkedin_oidc',
	'notion',
	'spotify',
	'slack',
	'slack_oidc',
	'workos',
	'twitch',
	'twitter',
	'zoom'
];

export function metaRoutes(deps: AuthDeps): Hono {
	const app = new Hono();

	app.get('/health', (c) =>
		c.json({
			version: 'growthdesk-local',
			name: 'GoTrue',
			description: 'GoTrue is a user registration and authentication API'
		})
	);

	app.get('/settings', (c) => {
		const { settings } = deps;
		return c.json({
			external: {
				anonymous_users: false,
				...Object.fromEntries(oauthProviders.map((p) => [p, false])),
				email: settings.emailEnabled,
				phone: false
			},
			disable_signup: !settings.enableSignup,
			mailer_autoconfirm: !settings.enableConfirmations,
			phone_autoconfirm: false,
			sms_provider: '',
			saml_enabled: false,
			saml_private_key_next_configured: false,
			passkeys_enabled: false
		});
	});

	// Public keys only, cached like GoTrue's, for getClaims() and server-side verification.
	app.get('/.well-known/jwks.json', (c) => {
		c.header('Cache-Control', 'public, max-age=600');
		return c.json({ keys: deps.keys.jwks.keys });
	});

	return app;
}
