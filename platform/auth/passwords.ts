// Passwords as Supabase Auth stores and checks them: bcrypt at cost 10 (so rows move between
// this stand-in and a real project), GoTrue's length cap and strength rules.
import bcrypt from 'bcryptjs';
import { randomBytes } from 'node:crypto';
import { badRequest, WeakPasswordError } from './errors.ts';
import type { AuthSettings, PasswordRequirement } from './settings.ts';

/** bcrypt only reads 72 bytes; GoTrue refuses longer passwords rather than truncating them. */
export const MAX_PASSWORD_LENGTH = 72;

const BCRYPT_COST = 10;

export function hashPassword(password: string): Promise<string> {
	return bcrypt.hash(password, BCRYPT_COST);
}

export async function passwordMatches(password: string, hash: string | null): Promise<boolean> {
	if (!hash || !/^\$2[aby]\$/.test(hash)) return false;
	return bcrypt.compare(password, hash);
}

/**
 * Passwords nobody knows, for magic-link and invited users (GoTrue sets one too). The fixed
 * tail satisfies every password_requirements setting.
 */
export function randomPassword(): string {
	return randomBytes(48).toString('base64url').slice(0, 60) + 'aZ7!';
}

const lower = 'abcdefghijklmnopqrstuvwxyz';
const upper = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const digits = '0123456789';
const symbols = '!@#$%^&*()_+-=[]{};\'\\:"|<>?,./`~';

/** The character sets of each requirement, as the CLI passes them to GoTrue. */
const requiredSets: Record<PasswordRequirement, string[]> = {
	'': [],
	letters_digits: [lower + upper, digits],
	lower_upper_letters_digits: [lower, upper, digits],
	lower_upper_letters_digits_symbols: [lower, upper, digits, symbols]
};

export function checkPasswordStrength(password: string, settings: AuthSettings): void {
	if (password.length > MAX_PASSWORD_LENGTH) {
		throw badRequest(
			'validation_failed',
			`Password cannot be longer than ${MAX_PASSWORD_LENGTH} characters`
		);
	}
	const reasons: string[] = [];
	const messages: string[] = [];
	if (password.length < settings.minimumPasswordLength) {
		reasons.push('length');
		messages.push(`Password should be at least ${settings.minimumPasswordLength} characters.`);
	}
	const sets = requiredSets[settings.passwordRequirements];
	if (sets.some((set) => ![...password].some((ch) => set.includes(ch)))) {
		reasons.push('characters');
		messages.push(`Password should contain at least one character of each: ${sets.join(', ')}.`);
	}
	if (reasons.length > 0) throw new WeakPasswordError(messages.join(' '), reasons);
}
