// GoTrue's checks of email addresses and phone numbers, with its messages.
import { badRequest } from './errors.ts';

// checkmail.ValidateFormat, which GoTrue uses.
const emailFormat =
	/^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** The address, lower-cased, or a 400 validation_failed. */
export function validateEmail(email: string): string {
	if (email === '') throw badRequest('validation_failed', 'An email address is required');
	if (email.length > 255) throw badRequest('validation_failed', 'An email address is too long');
	if (!emailFormat.test(email)) {
		throw badRequest('validation_failed', 'Unable to validate email address: invalid format');
	}
	return email.toLowerCase();
}

/** E.164 digits without the `+`, as GoTrue stores phone numbers. */
export function validatePhone(phone: string): string {
	const digits = phone.replace(/[\s()+-]/g, '');
	if (!/^[1-9][0-9]{1,14}$/.test(digits)) {
		throw badRequest('validation_failed', 'Invalid phone number format (E.164 required)');
	}
	return digits;
}
