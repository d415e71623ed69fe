// Invitations. Use as `import * as invitations from '$lib/server/invitations'`.
export {
	accept,
	INVITATION_DAYS,
	listPending,
	preview,
	resend,
	revoke,
	send,
	type InvitationPreview,
	type PendingInvitation,
	type Sender
} from './service';
export { hashToken } from './tokens';
