// What the template routes accept: zod schemas shared by the forms and the
// services. The block document itself is src/lib/templates/schema.ts.
import { z } from 'zod';
import { safeText } from '../../templates/schema.ts';

export const CHANNELS = ['email', 'sms', 'whatsapp'] as const;
export type TemplateChannel = (typeof CHANNELS)[number];

const name = safeText(120, 'The name')
	.transform((s) => s.trim())
	.refine((s) => s.length > 0, 'Give the template a name.');

/** A save from the editor: the fields of the template's channel (the others are ignored). */
export const saveInput = z.object({
	name,
	description: safeText(500, 'The description').default(''),
	folderId: z.uuid('Pick a folder from the list.').nullable().default(null),
	purpose: z.enum(['marketing', 'transactional']).default('marketing'),
	subject: safeText(200, 'The subject').default(''),
	preheader: safeText(200, 'The preview text').default(''),
	/** The block document (email), as JSON: parsed and checked by the service. */
	document: z.unknown().optional(),
	body: safeText(4096, 'The message').default('')
});
export type SaveInput = z.input<typeof saveInput>;

/** A new template: blank in a channel, or a copy of another (ready-made or one's own). */
export const createInput = z.union([
	z.object({ channel: z.enum(CHANNELS, 'Pick email, SMS or WhatsApp.'), name: name.optional() }),
	z.object({ from: z.uuid('Pick a template to start from.'), name: name.optional() })
]);
export type CreateInput = z.input<typeof createInput>;

export const folderInput = z.object({
	name: safeText(80, 'The folder name')
		.transform((s) => s.trim())
		.refine((s) => s.length > 0, 'Give the folder a name.')
});

/** The library's filters (in the URL). */
export const libraryFilter = z.object({
	// Control characters (a NUL would make Postgres refuse the search) are dropped.
	q: z
		.string()
		.max(100)
		// eslint-disable-next-line no-control-regex
		.transform((s) => s.replace(/[\u0000-\u001f\u007f]/g, ''))
		.catch(''),
	channel: z.enum(CHANNELS).optional().catch(undefined),
	folder: z.uuid().optional().catch(undefined)
});
export type LibraryFilter = z.output<typeof libraryFilter>;
