// The catalog of domain events: every event type a module records in
// public.events, what its subject is and the shape of its payload. One plain
// module (no server imports) shared by the automation builder (trigger
// pickers, payload matchers) and the worker (dispatch, webhook deliveries).
//
// Payloads carry ids and field names, never personal data, so erasing a contact
// leaves nothing to erase in an event. A module that records a new event type
// adds it here; tests/automations/catalog.test.ts checks every type recorded by
// the migrations is listed.
import { z } from 'zod';
import { Constants } from '../database.types.ts';

const uuid = z.uuid();
const role = z.enum(Constants.public.Enums.org_role);
const channel = z.enum(Constants.public.Enums.consent_channel);

/** What an event is about: the table its subject lives in and the verb of the change. */
export type EventSpec = {
	label: string;
	description: string;
	subject:
		| 'contact'
		| 'member'
		| 'invitation'
		| 'organization'
		| 'import'
		| 'campaign'
		| 'creative'
		| 'influencer'
		| 'finance_document'
		| 'data_run'
		| 'collaboration'
		| 'study';
	/** The change in database-webhook terms (`type` of the Supabase payload). */
	operation: 'INSERT' | 'UPDATE' | 'DELETE';
	/** Group shown in pickers. */
	module:
		| 'contacts'
		| 'segments'
		| 'tenancy'
		| 'webhooks'
		| 'campaigns'
		| 'messages'
		| 'influencers'
		| 'finance'
		| 'studies';
	payload: z.ZodType<Record<string, unknown>>;
};

function spec<P extends z.ZodType<Record<string, unknown>>>(
	s: Omit<EventSpec, 'payload'> & { payload: P }
) {
	return s;
}

export const eventCatalog = {
	'contact.created': spec({
		label: 'Contact created',
		description:
			'A contact was added by hand, through a form or an incoming webhook. Contacts added by an import start "Contacts imported" instead.',
		subject: 'contact',
		operation: 'INSERT',
		module: 'contacts',
		payload: z.object({ source: z.string() })
	}),
	'contacts.imported': spec({
		label: 'Contacts imported',
		description:
			'An import finished, with how many contacts it added and updated. To act on each imported contact, start from "Entered a segment" instead.',
		subject: 'import',
		operation: 'INSERT',
		module: 'contacts',
		payload: z.object({ inserted: z.number().int(), updated: z.number().int() })
	}),
	'contact.updated': spec({
		label: 'Contact updated',
		description: "Some of a contact's details changed.",
		subject: 'contact',
		operation: 'UPDATE',
		module: 'contacts',
		payload: z.object({ changed: z.array(z.string()) })
	}),
	'contact.deleted': spec({
		label: 'Contact deleted',
		description: 'A contact was deleted.',
		subject: 'contact',
		operation: 'DELETE',
		module: 'contacts',
		payload: z.object({})
	}),
	'contact.erased': spec({
		label: 'Contact erased',
		description: "A contact's personal data was erased on request (GDPR).",
		subject: 'contact',
		operation: 'UPDATE',
		module: 'contacts',
		payload: z.object({})
	}),
	'tag.added': spec({
		label: 'Tag added',
		description: 'A contact got a tag.',
		subject: 'contact',
		operation: 'INSERT',
		module: 'contacts',
		payload: z.object({ tag_id: uuid, tag: z.string() })
	}),
	'tag.removed': spec({
		label: 'Tag removed',
		description: 'A tag was taken off a contact.',
		subject: 'contact',
		operation: 'DELETE',
		module: 'contacts',
		payload: z.object({ tag_id: uuid, tag: z.string() })
	}),
	'consent.changed': spec({
		label: 'Consent changed',
		description: 'A contact granted or withdrew consent for a channel.',
		subject: 'contact',
		operation: 'INSERT',
		module: 'contacts',
		payload: z.object({
			channel: z.enum(Constants.public.Enums.consent_channel),
			status: z.enum(Constants.public.Enums.consent_status),
			source: z.string()
		})
	}),
	'segment.entered': spec({
		label: 'Entered a segment',
		description: "A contact started matching a segment's rules.",
		subject: 'contact',
		operation: 'INSERT',
		module: 'segments',
		payload: z.object({ segment_id: uuid, segment: z.string() })
	}),
	'segment.exited': spec({
		label: 'Left a segment',
		description: "A contact stopped matching a segment's rules.",
		subject: 'contact',
		operation: 'DELETE',
		module: 'segments',
		payload: z.object({ segment_id: uuid, segment: z.string() })
	}),
	'member.joined': spec({
		label: 'Member joined',
		description: 'Someone became a member of the organization.',
		subject: 'member',
		operation: 'INSERT',
		module: 'tenancy',
		payload: z.object({ role })
	}),
	'member.role_changed': spec({
		label: 'Member role changed',
		description: "A member's base role changed.",
		subject: 'member',
		operation: 'UPDATE',
		module: 'tenancy',
		payload: z.object({ from: role, to: role })
	}),
	'member.left': spec({
		label: 'Member left',
		description: 'A member left or was removed.',
		subject: 'member',
		operation: 'DELETE',
		module: 'tenancy',
		payload: z.object({ role })
	}),
	'invitation.accepted': spec({
		label: 'Invitation accepted',
		description: 'An invitation was accepted.',
		subject: 'invitation',
		operation: 'UPDATE',
		module: 'tenancy',
		payload: z.object({ email: z.string(), role, user_id: uuid.nullable() })
	}),
	'campaign.created': spec({
		label: 'Campaign created',
		description: 'Someone started a new campaign (it is a draft until it is submitted).',
		subject: 'campaign',
		operation: 'INSERT',
		module: 'campaigns',
		payload: z.object({ kind: z.enum(Constants.public.Enums.campaign_kind), brand_id: uuid })
	}),
	'campaign.submitted': spec({
		label: 'Campaign submitted',
		description:
			'A campaign was submitted from the wizard: its first version, or a new version after changes.',
		subject: 'campaign',
		operation: 'INSERT',
		module: 'campaigns',
		payload: z.object({ version: z.number().int() })
	}),
	'campaign.status_changed': spec({
		label: 'Campaign status changed',
		description: 'A campaign was scheduled, started, completed, cancelled or sent back to draft.',
		subject: 'campaign',
		operation: 'UPDATE',
		module: 'campaigns',
		payload: z.object({
			from: z.enum(Constants.public.Enums.campaign_status),
			to: z.enum(Constants.public.Enums.campaign_status)
		})
	}),
	'creative.submitted': spec({
		label: 'Creative submitted',
		description:
			'A file was uploaded for a deliverable of a campaign brief (a first version or a new one), waiting for review.',
		subject: 'creative',
		operation: 'INSERT',
		module: 'campaigns',
		payload: z.object({
			campaign_id: uuid,
			requirement_id: uuid,
			version_id: uuid,
			version: z.number().int()
		})
	}),
	'creative.approved': spec({
		label: 'Creative approved',
		description: 'A reviewer approved a version of a deliverable; it can no longer be changed.',
		subject: 'creative',
		operation: 'UPDATE',
		module: 'campaigns',
		payload: z.object({
			campaign_id: uuid,
			requirement_id: uuid,
			version_id: uuid,
			version: z.number().int()
		})
	}),
	'creative.changes_requested': spec({
		label: 'Changes requested on a creative',
		description:
			'A reviewer asked for changes to a version of a deliverable; a new version is expected.',
		subject: 'creative',
		operation: 'UPDATE',
		module: 'campaigns',
		payload: z.object({
			campaign_id: uuid,
			requirement_id: uuid,
			version_id: uuid,
			version: z.number().int()
		})
	}),
	'message.sent': spec({
		label: 'Email sent',
		description: "An email campaign's message to the contact was accepted by the mail provider.",
		subject: 'contact',
		operation: 'INSERT',
		module: 'messages',
		payload: z.object({ campaign_id: uuid, recipient_id: uuid, contact_id: uuid, channel })
	}),
	'message.failed': spec({
		label: 'Email not sent',
		description:
			"An email campaign's message to the contact was refused by the mail provider for good.",
		subject: 'contact',
		operation: 'UPDATE',
		module: 'messages',
		payload: z.object({
			campaign_id: uuid,
			recipient_id: uuid,
			contact_id: uuid,
			channel,
			reason: z.string().optional()
		})
	}),
	'message.suppressed': spec({
		label: 'Email held back',
		description:
			'A campaign did not send to the contact: unsubscribed, bounced, erased, without consent, or another contact with the same address.',
		subject: 'contact',
		operation: 'INSERT',
		module: 'messages',
		payload: z.object({
			campaign_id: uuid,
			recipient_id: uuid,
			contact_id: uuid,
			channel,
			reason: z.string().optional()
		})
	}),
	'message.delivered': spec({
		label: 'Email delivered',
		description: "The provider reported a campaign message delivered to the contact's mailbox.",
		subject: 'contact',
		operation: 'UPDATE',
		module: 'messages',
		payload: z.object({ campaign_id: uuid, recipient_id: uuid, contact_id: uuid, channel })
	}),
	'message.opened': spec({
		label: 'Email opened',
		description: 'The contact opened a campaign email (the first and later opens).',
		subject: 'contact',
		operation: 'UPDATE',
		module: 'messages',
		payload: z.object({ campaign_id: uuid, recipient_id: uuid, contact_id: uuid, channel })
	}),
	'message.clicked': spec({
		label: 'Email link clicked',
		description: 'The contact clicked a link in a campaign email.',
		subject: 'contact',
		operation: 'UPDATE',
		module: 'messages',
		payload: z.object({
			campaign_id: uuid,
			recipient_id: uuid,
			contact_id: uuid,
			channel,
			url: z.string()
		})
	}),
	'message.bounced': spec({
		label: 'Email bounced',
		description: 'A campaign email to the contact bounced; the contact is no longer emailed.',
		subject: 'contact',
		operation: 'UPDATE',
		module: 'messages',
		payload: z.object({
			campaign_id: uuid,
			recipient_id: uuid,
			contact_id: uuid,
			channel,
			reason: z.string().optional()
		})
	}),
	'message.complained': spec({
		label: 'Marked as spam',
		description: 'The contact marked a campaign email as spam; the contact is no longer emailed.',
		subject: 'contact',
		operation: 'UPDATE',
		module: 'messages',
		payload: z.object({ campaign_id: uuid, recipient_id: uuid, contact_id: uuid, channel })
	}),
	'message.unsubscribed': spec({
		label: 'Unsubscribed from a campaign message',
		description:
			"The contact unsubscribed through a campaign email's link or their mail app's button, or replied STOP to a campaign text or WhatsApp message.",
		subject: 'contact',
		operation: 'UPDATE',
		module: 'messages',
		payload: z.object({ campaign_id: uuid, recipient_id: uuid, contact_id: uuid, channel })
	}),
	'influencer.created': spec({
		label: 'Influencer added',
		description:
			"An influencer was added to the organization's list, from the marketplace or by hand.",
		subject: 'influencer',
		operation: 'INSERT',
		module: 'influencers',
		payload: z.object({
			source: z.enum(['manual', 'marketplace']),
			status: z.enum(Constants.public.Enums.influencer_status)
		})
	}),
	'influencer.status_changed': spec({
		label: 'Influencer moved on the board',
		description:
			'An influencer moved between Cold, Active and Final (for example, became Active once talks started).',
		subject: 'influencer',
		operation: 'UPDATE',
		module: 'influencers',
		payload: z.object({
			influencer_id: uuid,
			from: z.enum(Constants.public.Enums.influencer_status),
			to: z.enum(Constants.public.Enums.influencer_status)
		})
	}),
	'influencer.updated': spec({
		label: 'Influencer details changed',
		description:
			"Some of an influencer's details changed: name, owner, tags, notes, contact details or last contact.",
		subject: 'influencer',
		operation: 'UPDATE',
		module: 'influencers',
		payload: z.object({ changed: z.array(z.string()) })
	}),
	'data_run.started': spec({
		label: 'Marketplace refresh started',
		description:
			'A data provider started a refresh of marketplace profiles that the organization asked for.',
		subject: 'data_run',
		operation: 'INSERT',
		module: 'influencers',
		payload: z.object({ run_id: uuid, provider: z.string() })
	}),
	'data_run.succeeded': spec({
		label: 'Marketplace refresh finished',
		description:
			'A refresh the organization asked for finished, with how many profiles it added and updated and how many it refused.',
		subject: 'data_run',
		operation: 'UPDATE',
		module: 'influencers',
		payload: z.object({
			run_id: uuid,
			provider: z.string(),
			status: z.literal('succeeded'),
			profiles_created: z.number().int(),
			profiles_updated: z.number().int(),
			items_rejected: z.number().int()
		})
	}),
	'data_run.failed': spec({
		label: 'Marketplace refresh failed',
		description:
			'A refresh the organization asked for failed, timed out or was stopped; profiles it delivered before that stay.',
		subject: 'data_run',
		operation: 'UPDATE',
		module: 'influencers',
		payload: z.object({
			run_id: uuid,
			provider: z.string(),
			status: z.enum(['failed', 'timed_out', 'aborted']),
			profiles_created: z.number().int(),
			profiles_updated: z.number().int(),
			items_rejected: z.number().int()
		})
	}),
	'study.status_changed': spec({
		label: 'Brand lift study moved on',
		description:
			'A brand lift study was submitted for review, approved, sent back for changes, launched or closed.',
		subject: 'study',
		operation: 'UPDATE',
		module: 'studies',
		payload: z.object({
			campaign_id: uuid,
			from: z.enum(Constants.public.Enums.study_status),
			to: z.enum(Constants.public.Enums.study_status)
		})
	}),
	'webhook.received': spec({
		label: 'Incoming webhook received',
		description:
			'A signed request reached an incoming webhook endpoint; its contact was created or updated.',
		subject: 'contact',
		operation: 'INSERT',
		module: 'webhooks',
		payload: z.object({
			endpoint_id: uuid,
			request_id: z.number().int(),
			contact_id: uuid.nullable(),
			created: z.boolean(),
			data: z.record(z.string(), z.unknown())
		})
	}),
	'finance_document.created': spec({
		label: 'Financial document added',
		description:
			'A purchase order, invoice or form was recorded on a campaign and waits for approval.',
		subject: 'finance_document',
		operation: 'INSERT',
		module: 'finance',
		payload: z.object({
			campaign_id: uuid,
			type: z.enum(Constants.public.Enums.finance_document_type),
			number: z.string(),
			amount_base: z.number(),
			base_currency: z.string()
		})
	}),
	'finance_document.status_changed': spec({
		label: 'Financial document status changed',
		description: 'A financial document was approved, rejected or marked paid.',
		subject: 'finance_document',
		operation: 'UPDATE',
		module: 'finance',
		payload: z.object({
			campaign_id: uuid,
			from: z.enum(Constants.public.Enums.finance_document_status),
			to: z.enum(Constants.public.Enums.finance_document_status)
		})
	}),
	'finance_document.approved': spec({
		label: 'Financial document approved',
		description:
			'A financial document got all the approvals it needs; its amount now counts against the campaign budget.',
		subject: 'finance_document',
		operation: 'UPDATE',
		module: 'finance',
		payload: z.object({ campaign_id: uuid, amount_base: z.number(), base_currency: z.string() })
	}),
	'finance_document.overdue': spec({
		label: 'Financial document overdue',
		description:
			'A financial document is past its due date and not paid yet (recorded once per document).',
		subject: 'finance_document',
		operation: 'UPDATE',
		module: 'finance',
		payload: z.object({
			campaign_id: uuid,
			due_date: z.string(),
			status: z.enum(Constants.public.Enums.finance_document_status)
		})
	}),
	'collaboration.created': spec({
		label: 'Influencer invited to a campaign',
		description:
			'An influencer from the CRM was invited to an influencer campaign, with a rate and deliverables.',
		subject: 'collaboration',
		operation: 'INSERT',
		module: 'influencers',
		payload: z.object({ campaign_id: uuid, influencer_id: uuid })
	}),
	'collaboration.status_changed': spec({
		label: 'Collaboration status changed',
		description:
			'An influencer accepted or turned down a campaign invitation, or their collaboration was completed.',
		subject: 'collaboration',
		operation: 'UPDATE',
		module: 'influencers',
		payload: z.object({
			campaign_id: uuid,
			influencer_id: uuid,
			from: z.enum(Constants.public.Enums.collaboration_status),
			to: z.enum(Constants.public.Enums.collaboration_status)
		})
	}),
	'collaboration.product_delivered': spec({
		label: 'Seeded product delivered',
		description: 'A product sent to an influencer for a campaign was marked delivered.',
		subject: 'collaboration',
		operation: 'UPDATE',
		module: 'influencers',
		payload: z.object({
			campaign_id: uuid,
			influencer_id: uuid,
			product_id: uuid,
			seeding_id: uuid
		})
	})
} as const satisfies Record<string, EventSpec>;

export type EventType = keyof typeof eventCatalog;
export type EventPayload<T extends EventType> = z.infer<(typeof eventCatalog)[T]['payload']>;

export const EVENT_TYPES = Object.keys(eventCatalog) as EventType[];

/** The syntax the events table enforces for every type (registered or not). */
export const EVENT_TYPE_PATTERN = /^[a-z][a-z_]*(\.[a-z][a-z_]*)+$/;

export const eventTypeSchema = z.enum(EVENT_TYPES as [EventType, ...EventType[]]);

export function isEventType(value: string): value is EventType {
	return Object.hasOwn(eventCatalog, value);
}

/** A row of public.events as the engine and the webhooks read it. */
export type EventRecord = {
	id: string;
	org_id: string;
	type: string;
	subject_type: string;
	subject_id: string | null;
	actor_id: string | null;
	payload: Record<string, unknown>;
	occurred_at: string;
};

export type ParsedEvent =
	| { known: true; type: EventType; payload: Record<string, unknown> }
	| { known: false; type: string; payload: Record<string, unknown> };

/**
 * Checks an event's payload against the catalog. Unknown types pass through
 * untyped (a newer module may record them); a known type with a payload that
 * does not fit is an error, named.
 */
export function parseEventPayload(type: string, payload: unknown): ParsedEvent {
	if (!isEventType(type)) {
		return { known: false, type, payload: (payload ?? {}) as Record<string, unknown> };
	}
	const result = eventCatalog[type].payload.safeParse(payload ?? {});
	if (!result.success) {
		throw new Error(`event ${type}: payload does not match the catalog: ${result.error.message}`);
	}
	return { known: true, type, payload: result.data };
}

/** How the groups of a picker are titled. */
export const MODULE_LABELS: Record<EventSpec['module'], string> = {
	contacts: 'Contacts',
	segments: 'Segments',
	tenancy: 'Team',
	webhooks: 'Incoming webhooks',
	campaigns: 'Campaigns',
	messages: 'Campaign messages',
	influencers: 'Influencers',
	finance: 'Finance',
	studies: 'Brand lift studies'
};

/** Event types grouped for a picker, in catalog order. */
export function eventTypesByModule(): Record<EventSpec['module'], EventType[]> {
	const groups: Record<EventSpec['module'], EventType[]> = {
		contacts: [],
		segments: [],
		tenancy: [],
		webhooks: [],
		campaigns: [],
		messages: [],
		influencers: [],
		finance: [],
		studies: []
	};
	for (const type of EVENT_TYPES) groups[eventCatalog[type].module].push(type);
	return groups;
}
