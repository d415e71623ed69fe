import { z } from 'zod';

/** Starting a campaign: its kind, a name and the brand (the wizard asks the rest). */
export const newCampaignSchema = z.object({
	kind: z.enum(['influencer', 'email', 'sms', 'whatsapp'], 'Pick the kind of campaign.'),
	name: z
		.string()
		.trim()
		.min(1, 'Give the campaign a name.')
		.max(120, 'Keep the name under 120 characters.'),
	brandId: z.uuid('Pick the brand this campaign is for.')
});
