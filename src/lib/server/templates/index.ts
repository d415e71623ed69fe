// Message templates on the server. Use as a namespace:
// `import * as templates from '$lib/server/templates'`.
// Relative `.ts` imports throughout: the worker runs this code under plain Node.
export {
	library,
	get,
	create,
	check,
	save,
	move,
	remove,
	blankDocument,
	type Template,
	type TemplateSummary
} from './templates.ts';
export * as folders from './folders.ts';
export {
	contactsToPreview,
	varsFor,
	previewEmail,
	previewText,
	sendTest,
	type EmailPreview,
	type TextPreview,
	type PreviewContact
} from './preview.ts';
export { TemplateInvalidError, TemplateNotFoundError, TemplateReadOnlyError } from './errors.ts';
export * from './schemas.ts';
