// Storage's tokens: the caller's JWT (an Auth access token, ES256 with the platform's key, or
// an HS256 API key) verified as Storage verifies it, and the signed-URL tokens it makes:
// HS256 with the project's JWT secret, carrying the `bucket/key` they open, a scope
// (download or upload) and an expiry.
import { decodeProtectedHeader, importJWK, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { PlatformKeys } from '../keys.ts';
import type { Caller } from './db.ts';
import { ERRORS } from './errors.ts';

export type DownloadToken = { url: string; scope: 'download'; exp: number };
export type UploadToken = {
	url: string;
	scope: 'upload';
	owner?: string;
	upsert: boolean;
	exp: number;
};

export type Tokens = {
	/** The caller of a bearer token; AccessDenied (403) when it does not verify. */
	caller(jwt: string): Promise<Caller>;
	/** `transformations` (render/image signed URLs) ride in the token, as Storage signs them. */
	signDownload(url: string, expiresIn: number, transformations?: string): Promise<string>;
	signUpload(
		url: string,
		expiresIn: number,
		owner: string | undefined,
		upsert: boolean
	): Promise<string>;
	/** The payload of a signed-URL token made for `url` and `scope`, or Storage's refusal. */
	verifySigned(token: string, url: string, scope: 'download'): Promise<DownloadToken>;
	verifySigned(token: string, url: string, scope: 'upload'): Promise<UploadToken>;
};

const ROLES = new Set(['anon', 'authenticated', 'service_role']);

export function createTokens(keys: PlatformKeys, now: () => Date): Tokens {
	const secret = new TextEncoder().encode(keys.jwtSecret);
	const kid = keys.signingKey.kid;
	const jwk = keys.jwks.keys.find((k) => k.kid === kid);
	let publicKey: ReturnType<typeof importJWK> | undefined;

	async function verify(token: string): Promise<JWTPayload> {
		const { alg, kid: tokenKid } = decodeProtectedHeader(token);
		if (alg === 'ES256' && jwk && tokenKid === kid) {
			publicKey ??= importJWK(jwk, 'ES256');
			return (await jwtVerify(token, await publicKey, { currentDate: now() })).payload;
		}
		return (await jwtVerify(token, secret, { currentDate: now(), algorithms: ['HS256'] })).payload;
	}

	const sign = (payload: Record<string, unknown>, expiresIn: number) => {
		const iat = Math.floor(now().getTime() / 1000);
		return new SignJWT(payload)
			.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
			.setIssuedAt(iat)
			.setExpirationTime(iat + expiresIn)
			.sign(secret);
	};

	return {
		async caller(jwt) {
			let payload: JWTPayload;
			try {
				payload = await verify(jwt);
			} catch (error) {
				throw ERRORS.accessDenied(jwt ? (error as Error).message : 'jwt must be provided');
			}
			const role = typeof payload.role === 'string' ? payload.role : '';
			if (!ROLES.has(role)) throw ERRORS.accessDenied('Access denied: Invalid role', 403);
			return {
				role: role as Caller['role'],
				claims: payload,
				sub: typeof payload.sub === 'string' ? payload.sub : undefined
			};
		},
		signDownload: (url, expiresIn, transformations) =>
			sign({ ...(transformations ? { transformations } : {}), url, scope: 'download' }, expiresIn),
		signUpload: (url, expiresIn, owner, upsert) =>
			sign({ owner, url, upsert, scope: 'upload' }, expiresIn),
		async verifySigned(token: string, url: string, scope: 'download' | 'upload') {
			let payload: JWTPayload;
			try {
				// Expiry is Storage's own check below, with its own error.
				payload = (
					await jwtVerify(token, secret, {
						algorithms: ['HS256'],
						currentDate: new Date(0)
					})
				).payload;
			} catch (error) {
				throw ERRORS.invalidJwt((error as Error).message);
			}
			const isUpload =
				payload.scope === 'upload' || (payload.scope === undefined && 'upsert' in payload);
			if ((scope === 'upload') !== isUpload) {
				throw ERRORS.invalidSignature(`Token is not scoped for ${scope}`);
			}
			if (payload.url !== url) throw ERRORS.invalidSignature();
			if ((payload.exp ?? 0) * 1000 < now().getTime()) throw ERRORS.expiredSignature();
			return payload as never;
		}
	};
}
