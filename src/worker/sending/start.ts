// Job message_send_start: a scheduled campaign's time has come (enqueued with
// run_at by the message_sends trigger). Starting freezes the recipients and
// wakes the senders; a campaign unscheduled or cancelled meanwhile is left.
import type { Task } from 'graphile-worker';
import { z } from 'zod';

const Payload = z.object({ campaign_id: z.uuid() });

export const messageSendStartTask: Task = async (payload, helpers) => {
	const { campaign_id } = Payload.parse(payload);
	const { rows } = await helpers.query<{ status: string | null }>(
		'select private.message_send_start_due($1)::text as status',
		[campaign_id]
	);
	helpers.logger.info(`campaign ${campaign_id}: ${rows[0]?.status ?? 'gone'}`);
};
