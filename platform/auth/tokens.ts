// Everything secret the Auth API makes or checks: access tokens (ES256, signed with the
// platform's key, kid in the header, as a Supabase project with asymmetric keys does), the
// HS256 API keys, refresh tokens, email OTPs and their hashes, PKCE challenges.
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { decodeProtectedHeader, importJWK, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { PlatformKeys } from '../keys.ts';
import { badRequest, forbidden } from './errors.ts';

export type AmrEntry = { method: string; timestamp: number };

/** Supabase Auth's access token claims, in the order GoTrue writes them. */
export type AccessTokenClaims = {
	iss: string;
	sub: string;
	aud: string;
	exp: number;
	iat: number;
	email: string;
	phone: string;
	app_metadata: Record<string, unknown>;
	user_metadata: Record<string, unknown>;
	role: string;
	aal: string;
	amr: AmrEntry[];
	session_id: string;
	is_anonymous: boolean;
};

/** What a verified bearer token tells us; API keys carry only `role`. */
export type VerifiedClaims = {
	sub?: string;
	role?: string;
	session_id?: string;
	aud?: string;
	is_anonymous?: boolean;
};

export type ApiKeyRole = 'anon' | 'service_role';

type KeyLike = Awaited<ReturnType<typeof importJWK>>;

export type TokenService = {
	signAccessToken(claims: AccessTokenClaims): Promise<string>;
	/** Verifies signature and expiry against the injected clock; throws 403 bad_jwt. */
	verifyBearer(token: string): Promise<VerifiedClaims>;
	/** The role of a valid anon/service_role API key, or null. */
	apiKeyRole(apikey: string): Promise<ApiKeyRole | null>;
};

export function createTokenService(keys: PlatformKeys, now: () => Date): TokenService {
	const secret = new TextEncoder().encode(keys.jwtSecret);
	const kid = keys.signingKey.kid;
	let privateKey: Promise<KeyLike> | undefined;
	let publicKey: Promise<KeyLike> | undefined;
	const signingKey = () => (privateKey ??= importJWK(keys.signingKey, 'ES256'));
	const verifyingKey = () => {
		const jwk = keys.jwks.keys.find((k) => k.kid === kid);
		if (!jwk) throw new Error('The JWKS has no key for the signing key id');
		return (publicKey ??= importJWK(jwk, 'ES256'));
	};

	async function verify(token: string): Promise<JWTPayload> {
		let alg: string | undefined;
		let tokenKid: string | undefined;
		try {
			({ alg, kid: tokenKid } = decodeProtectedHeader(token));
		} catch {
			throw badJwt('token is malformed');
		}
		try {
			if (alg === 'ES256' && tokenKid === kid) {
				return (await jwtVerify(token, await verifyingKey(), { currentDate: now() })).payload;
			}
			// GoTrue still accepts HS256 tokens signed with the legacy secret (the API keys).
			if (alg === 'HS256') {
				return (await jwtVerify(token, secret, { currentDate: now(), algorithms: ['HS256'] }))
					.payload;
			}
		} catch (error) {
			throw badJwt(describeJoseError(error));
		}
		throw badJwt(`unrecognized JWT kid ${tokenKid ?? '<nil>'} for algorithm ${alg ?? '<nil>'}`);
	}

	return {
		async signAccessToken(claims) {
			return new SignJWT(claims)
				.setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
				.sign(await signingKey());
		},
		async verifyBearer(token) {
			const payload = await verify(token);
			return {
				sub: typeof payload.sub === 'string' ? payload.sub : undefined,
				role: stringClaim(payload, 'role'),
				session_id: stringClaim(payload, 'session_id'),
				aud: typeof payload.aud === 'string' ? payload.aud : payload.aud?.[0],
				is_anonymous: payload.is_anonymous === true
			};
		},
		async apiKeyRole(apikey) {
			try {
				const { payload } = await jwtVerify(apikey, secret, { algorithms: ['HS256'] });
				const role = stringClaim(payload, 'role');
				return role === 'anon' || role === 'service_role' ? role : null;
			} catch {
				return null;
			}
		}
	};
}

function stringClaim(payload: JWTPayload, name: string): string | undefined {
	const value = payload[name];
	return typeof value === 'string' ? value : undefined;
}

function badJwt(reason: string) {
	return forbidden('bad_jwt', `invalid JWT: unable to parse or verify signature, ${reason}`);
}

function describeJoseError(error: unknown): string {
	const code = typeof error === 'object' && error && 'code' in error ? String(error.code) : '';
	if (code === 'ERR_JWT_EXPIRED') return 'token has invalid claims: token is expired';
	if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return 'signature is invalid';
	if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') return 'token has invalid claims';
	return 'token is malformed';
}

const lowerAlphanumeric = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** GoTrue's legacy refresh tokens: 12 characters of [a-z0-9], kept in auth.refresh_tokens. */
export function newRefreshToken(): string {
	let token = '';
	while (token.length < 12) {
		for (const byte of randomBytes(16)) {
			// 252 = 7 * 36: rejecting the rest keeps every character equally likely.
			if (byte < 252 && token.length < 12) token += lowerAlphanumeric[byte % 36];
		}
	}
	return token;
}

export const REFRESH_TOKEN_PATTERN = /^[a-z0-9]{12}$/;

/** A numeric one-time code, as the emails show it. */
export function newOtp(length: number): string {
	let otp = '';
	for (let i = 0; i < length; i++) otp += String(randomInt(10));
	return otp;
}

/**
 * What is stored and put in links instead of the code: SHA-224 of email + code, hex (GoTrue's
 * crypto.GenerateTokenHash), so a database leak does not reveal codes.
 */
export function tokenHash(emailOrPhone: string, otp: string): string {
	return createHash('sha224')
		.update(emailOrPhone + otp)
		.digest('hex');
}

/** PKCE links carry `pkce_` before the hash; GET /verify then answers with `?code=`. */
export const PKCE_PREFIX = 'pkce_';

export function verifyPkce(challenge: string, method: string, verifier: string): boolean {
	const expected =
		method.toLowerCase() === 's256'
			? createHash('sha256').update(verifier).digest('base64url')
			: method.toLowerCase() === 'plain'
				? verifier
				: null;
	if (expected === null) return false;
	const a = Buffer.from(expected);
	const b = Buffer.from(challenge);
	return a.length === b.length && timingSafeEqual(a, b);
}

export function validatePkceParams(challenge: string, method: string): void {
	if ((challenge === '') !== (method === '')) {
		throw badRequest(
			'validation_failed',
			'PKCE flow requires code_challenge_method and code_challenge'
		);
	}
	if (challenge === '') return;
	if (challenge.length < 43 || challenge.length > 128) {
		throw badRequest('validation_failed', 'code challenge has to be between 43 and 128 characters');
	}
	if (!/^[a-zA-Z._~0-9-]+$/.test(challenge)) {
		throw badRequest(
			'validation_failed',
			'code challenge can only contain alphanumeric characters, hyphens, periods, underscores and tildes'
		);
	}
	if (!['s256', 'plain'].includes(method.toLowerCase())) {
		throw badRequest('validation_failed', `unsupported code_challenge method "${method}"`);
	}
}
