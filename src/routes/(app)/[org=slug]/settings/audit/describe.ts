// The audit log in words: what kind of change an entry is, what it was about,
// and which fields changed from what to what. Shared by the page and its load.
import { z } from 'zod';

/** The kinds of change the log can be narrowed to (its target tables). */
export const AUDIT_KINDS = {
	organizations: 'Organization',
	members: 'Members',
	invitations: 'Invitations',
	roles: 'Custom roles',
	role_permissions: 'Role permissions',
	branding_settings: 'Branding',
	contact: 'Contacts',
	contact_imports: 'Imports',
	segments: 'Segments',
	automations: 'Automations',
	webhook_subscriptions: 'Webhooks',
	products: 'Products',
	audiences: 'Audiences',
	campaign_products: 'Campaign products',
	creative_asset_versions: 'Creative reviews',
	campaigns: 'Campaigns',
	campaign_folders: 'Campaign folders',
	message_templates: 'Templates',
	message_template_folders: 'Template folders'
} as const;
export type AuditKind = keyof typeof AUDIT_KINDS;

export const auditFilterSchema = z.object({
	kind: z
		.enum(Object.keys(AUDIT_KINDS) as [AuditKind, ...AuditKind[]])
		.optional()
		.catch(undefined),
	actor: z.uuid().optional().catch(undefined),
	before: z.coerce.number().int().positive().optional().catch(undefined)
});
export type AuditFilterInput = z.infer<typeof auditFilterSchema>;

export type Entry = {
	action: string;
	targetType: string;
	targetId: string | null;
	actorId: string | null;
	/** For membership changes: the member's name when the entry was written. */
	targetName?: string | null;
	before: unknown;
	after: unknown;
};

/** Names the page knows: people by user id, custom roles by id. */
export type Names = { people: Map<string, string>; roles: Map<string, string> };

export type Change = { field: string; before: string | null; after: string | null };

type Row = Record<string, unknown>;
const asRow = (value: unknown): Row | null =>
	typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Row) : null;
const text = (value: unknown): string | null =>
	value === null || value === undefined
		? null
		: typeof value === 'string'
			? value
			: JSON.stringify(value);

const plural = (value: unknown): number => (typeof value === 'number' ? value : 1);

const ROLE_WORDS: Record<string, string> = {
	owner: 'Owner',
	admin: 'Admin',
	member: 'Member',
	viewer: 'Viewer'
};

/** Columns worth showing, with their labels; ids and timestamps of bookkeeping are left out. */
const FIELDS: Record<string, string> = {
	name: 'Name',
	slug: 'Address',
	role: 'Role',
	custom_role_id: 'Custom role',
	email: 'Email',
	description: 'Description',
	permission: 'Permission',
	primary_color: 'Primary colour',
	accent_color: 'Accent colour',
	font_family: 'Font',
	logo_url: 'Logo',
	expires_at: 'Expires',
	revoked_at: 'Revoked',
	accepted_at: 'Accepted',
	status: 'Status',
	host: 'Sends to',
	event_types: 'Events',
	enabled: 'On',
	file_name: 'File',
	inserted_rows: 'Added',
	updated_rows: 'Updated',
	failed_rows: 'Failed rows',
	count: 'Contacts',
	sku: 'SKU',
	price: 'Price',
	currency: 'Currency',
	archived_at: 'Archived',
	quantity: 'Quantity',
	discount_percent: 'Discount (%)',
	version: 'Version'
};

/** Automation and import statuses as the rest of the product names them. */
const STATUS_WORDS: Record<string, string> = {
	draft: 'Paused',
	active: 'Active',
	archived: 'Archived',
	queued: 'Started',
	completed: 'Completed',
	failed: 'Failed',
	cancelled: 'Cancelled',
	pending: 'Waiting for review',
	approved: 'Approved',
	changes_requested: 'Changes requested'
};

/** Campaign statuses as the campaigns pages name them. */
const CAMPAIGN_STATUS_WORDS: Record<string, string> = {
	draft: 'Draft',
	scheduled: 'Scheduled',
	active: 'Running',
	completed: 'Completed',
	cancelled: 'Cancelled'
};

function show(field: string, value: unknown, names: Names): string | null {
	const raw = text(value);
	if (raw === null) return null;
	if (field === 'role') return ROLE_WORDS[raw] ?? raw;
	if (field === 'status') return STATUS_WORDS[raw] ?? raw;
	if (field === 'enabled') return raw === 'true' ? 'Yes' : 'No';
	if (field === 'event_types' && Array.isArray(value)) return value.join(', ');
	if (field === 'custom_role_id') return names.roles.get(raw) ?? 'a deleted role';
	if (field.endsWith('_at'))
		return `${new Date(raw).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
	return raw;
}

/** The fields that differ between before and after (all of one side for a creation or deletion). */
export function changes(entry: Entry, names: Names): Change[] {
	const before = asRow(entry.before) ?? {};
	const after = asRow(entry.after) ?? {};
	const out: Change[] = [];
	for (const field of Object.keys(FIELDS)) {
		if (!(field in before) && !(field in after)) continue;
		const from = show(field, before[field], names);
		const to = show(field, after[field], names);
		if (from === to) continue;
		out.push({ field: FIELDS[field]!, before: from, after: to });
	}
	return out;
}

/** The change, in a few words: "Changed a member's role". */
export function describeAction(entry: Entry): string {
	const [table, op] = entry.action.split('.') as [string, string | undefined];
	const before = asRow(entry.before);
	const after = asRow(entry.after);
	switch (table) {
		case 'organizations':
			return op === 'insert' ? 'Created the organization' : 'Changed the organization';
		case 'members':
			if (op === 'insert') return 'Added a member';
			if (op === 'update') return "Changed a member's role";
			return entry.actorId && entry.actorId === before?.user_id
				? 'Left the organization'
				: 'Removed a member';
		case 'invitations':
			if (op === 'insert') return 'Invited someone';
			if (op === 'delete') return 'Deleted an invitation';
			if (after?.revoked_at && !before?.revoked_at) return 'Revoked an invitation';
			if (after?.accepted_at && !before?.accepted_at) return 'Accepted an invitation';
			return 'Resent an invitation';
		case 'roles':
			return op === 'insert'
				? 'Created a custom role'
				: op === 'update'
					? 'Changed a custom role'
					: 'Deleted a custom role';
		case 'role_permissions':
			return op === 'insert' ? 'Granted a permission to a role' : 'Took a permission from a role';
		case 'branding_settings':
			return 'Changed the branding';
		case 'contact':
			if (op === 'erased') return "Erased a contact's personal data";
			return plural(before?.count) > 1 ? 'Deleted contacts' : 'Deleted a contact';
		case 'contact_imports':
			if (op === 'started') return 'Started an import';
			if (after?.status === 'failed') return 'An import failed';
			if (after?.status === 'cancelled') return 'An import was cancelled';
			return 'Finished an import';
		case 'segments': {
			if (op === 'insert') return 'Created a segment';
			if (op === 'delete') return 'Deleted a segment';
			const renamed = before?.name !== after?.name;
			if (after?.rules_changed)
				return renamed ? 'Renamed a segment and changed its rules' : "Changed a segment's rules";
			return renamed ? 'Renamed a segment' : "Changed a segment's description";
		}
		case 'automations': {
			if (op === 'insert') return 'Created an automation';
			if (op === 'delete') return 'Deleted an automation';
			if (before?.status !== after?.status) {
				if (after?.status === 'active')
					return before?.status === 'archived'
						? 'Restored an automation'
						: 'Activated an automation';
				if (after?.status === 'archived') return 'Archived an automation';
				return 'Paused an automation';
			}
			if (after?.published) return 'Published a new version of an automation';
			return 'Renamed an automation';
		}
		case 'products':
			if (op === 'insert') return 'Added a product';
			if (op === 'delete') return 'Deleted a product';
			if (!before?.archived_at && after?.archived_at) return 'Archived a product';
			if (before?.archived_at && !after?.archived_at) return 'Restored a product';
			return 'Changed a product';
		case 'audiences':
			if (op === 'insert') return 'Created an audience';
			if (op === 'delete') return 'Deleted an audience';
			return after?.targeting_changed ? "Changed an audience's targeting" : 'Changed an audience';
		case 'campaign_products':
			if (op === 'insert') return 'Added a product to a campaign';
			if (op === 'delete') return 'Removed a product from a campaign';
			return "Changed a campaign product's quantity or discount";
		case 'creative_asset_versions':
			return after?.status === 'approved'
				? 'Approved a creative'
				: 'Asked for changes to a creative';
		case 'campaigns':
			if (op === 'insert') return 'Started a campaign';
			if (op === 'delete') return 'Deleted a campaign';
			if (before?.status !== after?.status && after && 'status' in after)
				return `Moved a campaign to ${CAMPAIGN_STATUS_WORDS[text(after.status) ?? ''] ?? 'another status'}`;
			if (after && 'submitted_version' in after) return 'Submitted a campaign';
			return 'Changed a campaign';
		case 'campaign_folders':
			return op === 'insert'
				? 'Created a campaign folder'
				: op === 'delete'
					? 'Deleted a campaign folder'
					: 'Renamed a campaign folder';
		case 'message_templates':
			if (op === 'insert') return 'Created a template';
			if (op === 'delete') return 'Deleted a template';
			if (after && 'content' in after) return "Edited a template's content";
			if (after && 'name' in after && before?.name !== after.name) return 'Renamed a template';
			return 'Changed a template';
		case 'message_template_folders':
			return op === 'insert'
				? 'Created a template folder'
				: op === 'delete'
					? 'Deleted a template folder'
					: 'Renamed a template folder';
		case 'webhook_subscriptions':
			if (op === 'insert') return 'Added a webhook';
			if (op === 'delete') return 'Removed a webhook';
			if (after?.secret_rotated) return "Rotated a webhook's signing secret";
			if (before?.enabled !== after?.enabled)
				return after?.enabled ? 'Turned a webhook on' : 'Turned a webhook off';
			return 'Changed a webhook';
		default:
			return entry.action;
	}
}

/** Who or what the change was about. */
export function describeTarget(entry: Entry, names: Names): string {
	const row = asRow(entry.after) ?? asRow(entry.before) ?? {};
	switch (entry.targetType) {
		case 'members': {
			const id = text(row.user_id);
			return (id && names.people.get(id)) || entry.targetName || 'A former member';
		}
		case 'invitations':
			return text(row.email) ?? 'An invitation';
		case 'roles':
			return text(row.name) ?? 'A custom role';
		case 'role_permissions': {
			const id = text(row.role_id);
			return `${(id && names.roles.get(id)) || 'A deleted role'}: ${text(row.permission) ?? ''}`;
		}
		case 'organizations':
			return text(row.name) ?? 'The organization';
		case 'branding_settings':
			return 'Branding';
		case 'contact': {
			// The log outlives erasure: a contact is named only by its id.
			const n = plural(row.count);
			if (n > 1) return `${new Intl.NumberFormat('en-US').format(n)} contacts`;
			return entry.targetId ? `Contact ${entry.targetId.slice(0, 8)}` : 'A contact';
		}
		case 'contact_imports':
			return text(row.file_name) ?? 'An import';
		case 'segments':
			return text(row.name) ?? 'A segment';
		case 'automations':
			return text(row.name) ?? 'An automation';
		case 'products':
			return text(row.name) ? `${text(row.name)} (${text(row.sku) ?? ''})` : 'A product';
		case 'audiences':
			return text(row.name) ?? 'An audience';
		case 'message_templates':
			return text(row.name) ?? 'A template';
		case 'message_template_folders':
			return text(row.name) ?? 'A template folder';
		case 'campaign_products':
			return entry.targetId ? `Campaign ${entry.targetId.slice(0, 8)}` : 'A campaign';
		case 'creative_asset_versions':
			return text(row.title)
				? `${text(row.title)}, version ${text(row.version) ?? '?'}`
				: 'A creative';
		case 'webhook_subscriptions':
			return text(row.host) ? `Webhook to ${text(row.host)}` : 'A webhook';
		default:
			return entry.targetId ?? entry.targetType;
	}
}
