// JWT verification in front of edge functions, as Supabase's Edge Runtime does
// it when verify_jwt is on: a Bearer token is required; HS256 tokens (the anon
// and service_role keys, legacy sessions) are checked with the project's JWT
// secret, ES256/RS256 tokens (user sessions) with the signing keys Auth
// publishes. Failures answer 401 with Supabase's bodies.
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';

export type JwtKeys = { jwtSecret: string; jwks: { keys: JWK[] } };

export type JwtCheck = { ok: true } | { ok: false; body: { msg: string } };

export function createJwtVerifier(
	keys: JwtKeys
): (authorization: string | null) => Promise<JwtCheck> {
	const secret = new TextEncoder().encode(keys.jwtSecret);
	const jwks = createLocalJWKSet(keys.jwks);
	return async (authorization) => {
		if (!authorization) return { ok: false, body: { msg: 'Error: Missing authorization header' } };
		const [bearer, token] = authorization.split(' ');
		if (bearer !== 'Bearer' || !token) {
			return { ok: false, body: { msg: "Error: Auth header is not 'Bearer {token}'" } };
		}
		try {
			const { alg } = decodeProtectedHeader(token);
			if (alg === 'HS256') await jwtVerify(token, secret);
			else if (alg === 'ES256' || alg === 'RS256') await jwtVerify(token, jwks);
			else return { ok: false, body: { msg: 'Invalid JWT' } };
			return { ok: true };
		} catch {
			return { ok: false, body: { msg: 'Invalid JWT' } };
		}
	};
}
