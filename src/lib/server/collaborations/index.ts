// Collaborations: influencers of the CRM on influencer campaigns — rate,
// deliverables from the brief, content through the creative review, product
// seeding, a tracking link and a promo code, clicks and attribution (rules in
// private.attribute_conversion()). Use as
// `import * as collaborations from '$lib/server/collaborations'`.
export {
	listForCampaign,
	listForInfluencer,
	activeSummary,
	inviteOptions,
	type Collaboration,
	type CollaborationStatus,
	type SeededProduct,
	type InfluencerCollaboration,
	type ActiveCollaborations
} from './queries.ts';
export { invite, setStatus, setLink, addProduct, moveProduct, assetOwners } from './service.ts';
export {
	inviteSchema,
	statusSchema,
	linkSchema,
	productSchema,
	shipmentSchema,
	deliverablesFrom,
	importSchema,
	SEEDING_STATUSES,
	type InviteInput,
	type StatusInput,
	type LinkInput,
	type ProductInput,
	type ShipmentInput,
	type SeedingStatus
} from './schemas.ts';
export { CollaborationInputError, CollaborationNotFoundError } from './errors.ts';
export * as trackingImport from './tracking-import.ts';
export { click } from './redirect.ts';
