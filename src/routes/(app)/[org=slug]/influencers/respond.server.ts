// What the influencer routes share at their edge: domain and database errors
// as statuses, fields and words.
import { error } from '@sveltejs/kit';
import { mapDbError, NOT_ALLOWED } from '$lib/server/db';
import * as influencers from '$lib/server/influencers';
import * as mail from '$lib/server/mail';
import * as templates from '$lib/server/templates';

type Status = 400 | 403 | 404 | 409 | 422 | 502;

export function describeError(
	e: unknown
): { status: Status; message: string; field?: string } | null {
	if (e instanceof influencers.InfluencerNotFoundError) return { status: 404, message: e.message };
	if (e instanceof influencers.MarketplaceInfluencerNotFoundError)
		return { status: 404, message: e.message };
	if (e instanceof influencers.InfluencerCursorError) return { status: 400, message: e.message };
	if (e instanceof influencers.NoEmailError)
		return { status: 422, message: e.message, field: 'email' };
	if (e instanceof templates.TemplateNotFoundError)
		return { status: 422, message: 'Choose one of your email templates.', field: 'templateId' };
	if (e instanceof templates.TemplateReadOnlyError)
		return {
			status: 422,
			message: 'Choose an email template (not SMS or WhatsApp).',
			field: 'templateId'
		};
	if (e instanceof templates.TemplateInvalidError)
		return {
			status: 422,
			message: `This template cannot be sent yet: ${e.issues[0]?.message ?? e.message}`,
			field: 'templateId'
		};
	if (e instanceof mail.MailNotSentError) return { status: 502, message: e.message };
	const db = mapDbError(e);
	if (!db) return null;
	if (db.status === 403) return { status: 403, message: NOT_ALLOWED };
	const field = db.field === 'owner_id' ? 'ownerId' : db.field;
	if (db.status === 409 && db.field === 'owner_id')
		return { status: 422, message: 'Choose a member of the team as owner.', field: 'ownerId' };
	return { status: db.status, message: db.message, field };
}

/** For loads and endpoints: a known error as an HTTP error; anything else rethrown. */
export function throwHttp(e: unknown): never {
	const known = describeError(e);
	if (!known) throw e;
	error(known.status === 502 ? 503 : known.status, known.message);
}

/** Members as owner choices. */
export type OwnerOption = { id: string; name: string };
