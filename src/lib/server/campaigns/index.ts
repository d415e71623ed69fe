// The campaigns module: campaigns and their wizard sections, the workspace
// list and timeline, folders, versions and activity.
export * from './campaigns.ts';
export * as brief from './brief.ts';
export * as folders from './folders.ts';
export * as history from './history.ts';
export {
	list,
	timeline,
	listFilterSchema,
	SORTS,
	PAGE_SIZE,
	type ListFilter,
	type ListRow,
	type TimelineRow
} from './list.ts';
export * from './errors.ts';
