// The influencer pipeline as the UI shows it: the three columns of the board,
// their words, and the moves the database allows (supabase/migrations/
// *_influencer_crm.sql: cold → active → final, active → cold, final → active).
// Shared by the server and the board so the UI offers only legal moves.
import type { Database } from '../database.types.ts';

export type InfluencerStatus = Database['public']['Enums']['influencer_status'];
export type SocialPlatform = Database['public']['Enums']['social_platform'];

export const STATUSES = ['cold', 'active', 'final'] as const satisfies readonly InfluencerStatus[];

export const STATUS_LABELS: Record<InfluencerStatus, string> = {
	cold: 'Cold',
	active: 'Active',
	final: 'Final'
};

/** What each column means, in a marketer's words. */
export const STATUS_HINTS: Record<InfluencerStatus, string> = {
	cold: 'Not talking yet',
	active: 'In talks',
	final: 'Selected to work with'
};

const LEGAL: Record<InfluencerStatus, readonly InfluencerStatus[]> = {
	cold: ['active'],
	active: ['final', 'cold'],
	final: ['active']
};

/** Whether a card may move from one column to another (same column: a reorder, always fine). */
export function canMove(from: InfluencerStatus, to: InfluencerStatus): boolean {
	return from === to || LEGAL[from].includes(to);
}

export const PLATFORMS = [
	'instagram',
	'tiktok',
	'youtube',
	'twitch',
	'x',
	'linkedin',
	'facebook',
	'pinterest',
	'snapchat'
] as const satisfies readonly SocialPlatform[];

export const PLATFORM_LABELS: Record<SocialPlatform, string> = {
	instagram: 'Instagram',
	tiktok: 'TikTok',
	youtube: 'YouTube',
	twitch: 'Twitch',
	x: 'X',
	linkedin: 'LinkedIn',
	facebook: 'Facebook',
	pinterest: 'Pinterest',
	snapchat: 'Snapchat'
};
