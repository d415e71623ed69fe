// What a person chooses on a campaign's sending page, checked on the server
// (the database checks the same bounds again).
import { z } from 'zod';
import { safeText } from '../../templates/schema.ts';

/**
 * The message: an email template of the organization or a ready-made one, and
 * the envelope. An empty subject takes the template's.
 */
export const messageSchema = z.object({
	templateId: z.uuid('Choose a template from the list.'),
	subject: safeText(200, 'The subject').transform((s) => s.trim()),
	preheader: safeText(200, 'The preview text').transform((s) => s.trim()),
	fromName: safeText(100, 'The sender name').transform((s) => s.trim()),
	replyTo: z.union([z.literal(''), z.email('Enter an email address for replies.').max(254)])
});
export type MessageInput = z.infer<typeof messageSchema>;

export const scheduleSchema = z.object({
	sendAt: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'Pick a date and a time.'),
	timeZone: z.string().min(1, 'Pick a time zone.').max(64)
});

/** The contact a preview is rendered for (in the page's URL; anything else: nobody). */
export const previewQuery = z.object({ contact: z.uuid().nullable().catch(null) });
