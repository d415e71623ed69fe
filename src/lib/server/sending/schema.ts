// What a person types on a campaign's sending page, checked on the server
// (the database checks the same bounds again).
import { z } from 'zod';

export const messageSchema = z.object({
	subject: z
		.string()
		.trim()
		.min(1, 'Add a subject line.')
		.max(200, 'Keep the subject under 200 characters.'),
	preheader: z.string().trim().max(200, 'Keep the preview text under 200 characters.'),
	fromName: z.string().trim().max(100, 'Keep the sender name under 100 characters.'),
	replyTo: z.union([z.literal(''), z.email('Enter an email address for replies.').max(254)]),
	html: z
		.string()
		.trim()
		.min(1, 'Write the message.')
		.max(200_000, 'The message is too long (200,000 characters at most).')
});
export type MessageInput = z.infer<typeof messageSchema>;

export const scheduleSchema = z.object({
	sendAt: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'Pick a date and a time.'),
	timeZone: z.string().min(1, 'Pick a time zone.').max(64)
});
