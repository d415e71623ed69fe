// Contacts: records, custom fields, tags, search and lists, privacy.
// Use as a namespace: `import * as contacts from '$lib/server/contacts'`.
// Relative `.ts` imports throughout: the worker runs this code under plain Node.
export { create, update, remove, get, type Contact, type ContactStatus } from './contacts.ts';
export { list, filterWhere, ruleContext, type ContactPage } from './list.ts';
export { total, tagsOf, COUNT_CAP, type ContactTotal } from './total.ts';
export { detail, timeline, type ContactDetail, type TimelineEvent } from './detail.ts';
export {
	listFields,
	fieldMap,
	createField,
	updateField,
	deleteField,
	type FieldDefinition,
	type FieldType
} from './fields.ts';
export {
	listTags,
	createTag,
	ensureTags,
	deleteTag,
	addTags,
	removeTags,
	type Tag
} from './tags.ts';
export {
	canSend,
	sendable,
	recordConsent,
	erase,
	exportData,
	CHANNELS,
	type Channel,
	type ContactDataExport
} from './privacy.ts';
export { ContactNotFoundError, ContactFieldError, ContactPermissionError } from './errors.ts';
export { InvalidCursorError } from './cursor.ts';
export * from './schemas.ts';
