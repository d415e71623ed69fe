// How sending is put to people: states, suppression reasons. Shared by the
// campaign page, the campaign list and tests (no server imports).
export type SendStatus = 'draft' | 'scheduled' | 'sending' | 'paused' | 'finished' | 'cancelled';

export const SEND_STATUS_LABELS: Record<SendStatus, string> = {
	draft: 'Not sent yet',
	scheduled: 'Scheduled',
	sending: 'Sending',
	paused: 'Paused',
	finished: 'Sent',
	cancelled: 'Cancelled'
};

export const SUPPRESSION_LABELS: Record<string, string> = {
	unsubscribed: 'Unsubscribed',
	bounced: 'Address bounced before',
	erased: 'Contact erased',
	no_address: 'No email address',
	no_consent: 'Withdrew email consent',
	duplicate_address: 'Same address as another contact',
	no_phone: 'No mobile number',
	invalid_phone: 'Number without its country code',
	no_text_consent: 'Has not agreed to texts on this channel',
	duplicate_phone: 'Same number as another contact'
};

export type Progress = {
	status: SendStatus;
	recipients: number;
	sent: number;
	failed: number;
	suppressed: number;
	suppressedByReason: Record<string, number>;
	sendAt: string | null;
	startedAt: string | null;
	finishedAt: string | null;
	problem: string | null;
};

/** Share of the recipients dealt with (sent, failed or held back), 0–100. */
export function percentDone(p: Pick<Progress, 'recipients' | 'sent' | 'failed' | 'suppressed'>) {
	if (p.recipients === 0) return 0;
	return Math.floor(((p.sent + p.failed + p.suppressed) / p.recipients) * 100);
}
