// The small forms of the contact page (the fields form is ../contact-form.ts).
import { z } from 'zod';
import { Constants } from '$lib/database.types';

export const addTagSchema = z.object({
	name: z.string().trim().min(1, 'Enter a tag.').max(50, 'Tags are at most 50 characters.')
});

export const removeTagSchema = z.object({ tagId: z.uuid() });

export const CHANNEL_LABELS = { email: 'Email', sms: 'SMS', whatsapp: 'WhatsApp' } as const;
export type Channel = keyof typeof CHANNEL_LABELS;

export const consentSchema = z.object({
	channel: z.enum(Constants.public.Enums.consent_channel),
	status: z.enum(Constants.public.Enums.consent_status)
});

/** Erasing: the person types the contact's email (or ERASE when it has none) first. */
export const eraseSchema = z.object({ confirmName: z.string().trim() });

export function eraseWord(contact: { email: string | null }): string {
	return contact.email ?? 'ERASE';
}
