// The influencer CRM: an organization's influencer records, the board, the
// table, bulk actions and outreach. Use as
// `import * as influencers from '$lib/server/influencers'`.
export * from './influencers.ts';
export { board, column, COLUMN_SIZE, type Card, type Column } from './board.ts';
export {
	list,
	tagsInUse,
	listFilterSchema,
	SORTS,
	PAGE_SIZE,
	type ListFilter,
	type ListRow
} from './list.ts';
export * as bulk from './bulk.ts';
export * as outreach from './outreach.ts';
export * from './errors.ts';
export * from './schemas.ts';
