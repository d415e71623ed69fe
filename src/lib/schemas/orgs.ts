// Organization fields, shared by the forms (browser) and the actions (server).
import { z } from 'zod';

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/;

/** Paths the app itself uses at the top level; the database refuses them too. */
export const RESERVED_SLUGS = new Set([
	'account',
	'admin',
	'api',
	'app',
	'auth',
	'forgot-password',
	'functions',
	'invitations',
	'login',
	'logout',
	'mailbox',
	'new',
	'onboarding',
	'reset-password',
	'settings',
	'signup',
	// /s/<token> is the public brand lift survey.
	's',
	'static',
	'storage',
	// /u/<token> is the unsubscribe link of marketing email (open to cross-site posts).
	'u'
]);

export const orgName = z
	.string()
	.trim()
	.min(1, 'Name your organization.')
	.max(100, 'Use at most 100 characters.');

export const orgSlug = z
	.string()
	.trim()
	.toLowerCase()
	.min(1, 'Choose the address of your organization.')
	.max(48, 'Use at most 48 characters.')
	.regex(SLUG_PATTERN, 'Use lowercase letters, digits and dashes, not at the start or end.')
	.refine((slug) => !RESERVED_SLUGS.has(slug), 'That address is reserved; choose another.');

export const orgSchema = z.object({ name: orgName, slug: orgSlug });
export type OrgInput = z.infer<typeof orgSchema>;

/** An IANA time zone name (the database checks it against the zones Postgres knows). */
export const timeZoneName = z
	.string()
	.trim()
	.min(1, 'Choose a time zone.')
	.max(64, 'Choose a time zone from the list.')
	.regex(/^[A-Za-z][A-Za-z0-9_+\-/]*$/, 'Choose a time zone from the list.');

/** The settings page's form: the name and address, and the time zone schedules use. */
export const orgSettingsSchema = orgSchema.extend({ timeZone: timeZoneName });

/** A slug suggestion from a name: "Acme & Co." → "acme-co". */
export function slugify(name: string): string {
	return name
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 48)
		.replace(/-+$/, '');
}

export const HEX_COLOR = /^#[0-9a-f]{6}$/;

const hexColor = z.string().trim().toLowerCase().regex(HEX_COLOR, 'Use a colour like #4f46e5.');

export const FONTS = ['Inter', 'system-ui', 'Georgia', 'Merriweather', 'Roboto', 'Lato'] as const;

export const brandingSchema = z.object({
	primaryColor: hexColor,
	accentColor: hexColor,
	fontFamily: z.enum(FONTS, 'Choose one of the listed fonts.'),
	logoUrl: z
		.string()
		.trim()
		.max(2000, 'That address is too long.')
		.refine((v) => v === '' || /^https?:\/\//.test(v), 'Use an address starting with https://.')
		.transform((v) => (v === '' ? null : v))
		.nullable(),
	/** Where replies to the organization's automation emails go; empty: no Reply-To. */
	replyToEmail: z
		.string()
		.trim()
		.max(254, 'That address is too long.')
		.refine((v) => v === '' || z.email().safeParse(v).success, 'Enter a valid email address.')
		.transform((v) => (v === '' ? null : v))
		.nullable()
		.default(null)
});
export type BrandingInput = z.infer<typeof brandingSchema>;
