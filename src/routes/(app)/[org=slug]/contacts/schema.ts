// The contacts table's URL (search, filters, sort, page) and its bulk tagging
// form. No server imports: the page reads the same schema in the browser.
import { z } from 'zod';
import { Constants } from '$lib/database.types';

export const CONTACT_STATUSES = Constants.public.Enums.contact_status;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

export const STATUS_LABELS: Record<ContactStatus, string> = {
	subscribed: 'Subscribed',
	unsubscribed: 'Unsubscribed',
	bounced: 'Bounced'
};

/** The orders the table offers, as the list service's sort and direction. */
export const SORT_OPTIONS = {
	newest: { label: 'Newest first', sort: 'created_at', direction: 'desc' },
	oldest: { label: 'Oldest first', sort: 'created_at', direction: 'asc' },
	updated: { label: 'Recently updated', sort: 'updated_at', direction: 'desc' },
	name: { label: 'Name A–Z', sort: 'name', direction: 'asc' },
	name_desc: { label: 'Name Z–A', sort: 'name', direction: 'desc' },
	email: { label: 'Email A–Z', sort: 'email', direction: 'asc' }
} as const;
export type SortOption = keyof typeof SORT_OPTIONS;

const CURSOR = /^[A-Za-z0-9_-]{1,1000}$/;

/**
 * The table's query string. Bad values are dropped rather than refused: an old
 * or hand-edited link still shows the contacts. `after` is the keyset cursor of
 * the page shown; `trail` the cursors of the pages before it (for "Previous").
 */
export const listParamsSchema = z.object({
	q: z.string().trim().max(200).optional().catch(undefined),
	status: z.enum(CONTACT_STATUSES).optional().catch(undefined),
	tag: z.uuid().optional().catch(undefined),
	segment: z.uuid().optional().catch(undefined),
	sort: z
		.enum(Object.keys(SORT_OPTIONS) as [SortOption, ...SortOption[]])
		.optional()
		.catch(undefined),
	after: z.string().regex(CURSOR).optional().catch(undefined),
	trail: z
		.string()
		.regex(/^[A-Za-z0-9_,-]{0,20000}$/)
		.optional()
		.catch(undefined)
});
export type ListParams = z.infer<typeof listParamsSchema>;

export function parseListParams(params: URLSearchParams): ListParams {
	const raw = Object.fromEntries([...params].filter(([, v]) => v !== ''));
	return listParamsSchema.parse(raw);
}

/** The query string of a view: the filters and sort, plus a page position when given. */
export function listQuery(
	params: ListParams,
	page: { after?: string; trail?: string[] } = {}
): string {
	const query = new URLSearchParams();
	if (params.q) query.set('q', params.q);
	if (params.status) query.set('status', params.status);
	if (params.tag) query.set('tag', params.tag);
	if (params.segment) query.set('segment', params.segment);
	if (params.sort && params.sort !== 'newest') query.set('sort', params.sort);
	if (page.after) query.set('after', page.after);
	if (page.trail?.length) query.set('trail', page.trail.join(','));
	const text = query.toString();
	return text ? `?${text}` : '';
}

/** Tagging or untagging the selected rows. */
export const bulkTagSchema = z.object({
	contactIds: z
		.array(z.uuid())
		.min(1, 'Select at least one contact.')
		.max(200, 'Select at most 200 contacts at a time.'),
	tag: z.string().trim().min(1, 'Enter a tag.').max(50, 'Tags are at most 50 characters.'),
	op: z.enum(['add', 'remove'])
});
