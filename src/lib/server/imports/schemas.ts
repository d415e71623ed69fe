// Input schemas of the imports module.
import { z } from 'zod';

/** Separators a Tags column may use: semicolon (what the export writes), comma, pipe. */
export const TAG_SEPARATORS = [';', ',', '|'] as const;
export type TagSeparator = (typeof TAG_SEPARATORS)[number];

export const targetSchema = z
	.string()
	.regex(
		/^(email|phone|first_name|last_name|company|status|full_name|tags|custom\.[a-z][a-z0-9_]{0,39})$/,
		'Choose a contact field or skip the column.'
	)
	.nullable();

export const importOptionsSchema = z.object({
	/** Import the valid rows and report the others; otherwise any bad row stops the import. */
	skipInvalidRows: z.boolean().default(false),
	/** Contacts already in the organization (same email) get the file's values; otherwise they are left as they are. */
	updateExisting: z.boolean().default(true),
	/** Tags put on every contact of the file (new and existing). */
	tagIds: z.array(z.uuid()).max(20).default([]),
	/** What separates the tags of a cell mapped to Tags (the export writes "; "). */
	tagSeparator: z.enum(TAG_SEPARATORS).default(';')
});
export type ImportOptions = z.infer<typeof importOptionsSchema>;

export const startImportSchema = z.object({
	mapping: z.array(targetSchema).min(1).max(500),
	options: importOptionsSchema.default({
		skipInvalidRows: false,
		updateExisting: true,
		tagIds: [],
		tagSeparator: ';'
	}),
	encoding: z.enum(['utf-8', 'utf-16le', 'utf-16be', 'windows-1252']).optional(),
	format: z.enum(['csv', 'tsv']).optional()
});
export type StartImportInput = z.input<typeof startImportSchema>;

export const uploadSchema = z.object({
	fileName: z
		.string()
		.trim()
		.min(1)
		.max(255)
		.regex(/\.(csv|tsv|txt)$/i, 'Upload a .csv, .tsv or .txt file.')
});
