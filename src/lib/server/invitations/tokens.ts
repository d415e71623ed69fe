// Invitation tokens: 256 random bits for the link, and only their sha256 in
// the database (the accept function hashes what it is given the same way).
import { createHash, randomBytes } from 'node:crypto';

export function newToken(): { token: string; hash: string } {
	const token = randomBytes(32).toString('base64url');
	return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
	return createHash('sha256').update(token, 'utf8').digest('hex');
}
