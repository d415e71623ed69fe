// The signing material of the local stack, made once per data directory:
// - an ES256 key pair: Auth signs access tokens with it and publishes the public
//   half at /auth/v1/.well-known/jwks.json, as a Supabase project with
//   asymmetric JWT signing keys does;
// - the legacy HS256 secret, which signs the anon and service_role API keys.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

export type PlatformKeys = {
	jwtSecret: string;
	/** Private ES256 JWK (with kid) that signs access tokens. */
	signingKey: JWK;
	/** The public JWKS served to clients. */
	jwks: { keys: JWK[] };
	anonKey: string;
	serviceRoleKey: string;
};

type StoredKeys = { jwtSecret: string; signingKey: JWK };

export async function createKeys(): Promise<PlatformKeys> {
	const { privateKey } = await generateKeyPair('ES256', { extractable: true });
	const signingKey = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'ES256' };
	return deriveKeys({ jwtSecret: randomBytes(32).toString('base64url'), signingKey });
}

/** Keys kept in `file` so that sessions and API keys survive a restart. */
export async function loadOrCreateKeys(file: string): Promise<PlatformKeys> {
	if (existsSync(file)) {
		return deriveKeys(JSON.parse(await readFile(file, 'utf8')) as StoredKeys);
	}
	const keys = await createKeys();
	await mkdir(dirname(file), { recursive: true });
	const stored: StoredKeys = { jwtSecret: keys.jwtSecret, signingKey: keys.signingKey };
	await writeFile(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
	return keys;
}

async function deriveKeys({ jwtSecret, signingKey }: StoredKeys): Promise<PlatformKeys> {
	// The public half: everything but the private scalar `d`.
	const publicJwk = Object.fromEntries(Object.entries(signingKey).filter(([k]) => k !== 'd'));
	const jwks = { keys: [{ ...publicJwk, use: 'sig', key_ops: ['verify'] }] };
	const apiKey = (role: 'anon' | 'service_role') =>
		new SignJWT({ role, iss: 'supabase' })
			.setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
			.setIssuedAt(1767225600) // fixed, so a key stays the same for the same secret
			.setExpirationTime(2082758400)
			.sign(new TextEncoder().encode(jwtSecret));
	return {
		jwtSecret,
		signingKey,
		jwks,
		anonKey: await apiKey('anon'),
		serviceRoleKey: await apiKey('service_role')
	};
}
