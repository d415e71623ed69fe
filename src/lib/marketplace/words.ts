// What the marketplace pages call things: platform names, run statuses and
// compact numbers, in a marketer's words (enum keys stay in the code).

export const PLATFORM_NAMES: Record<string, string> = {
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

export const RUN_STATUS_NAMES: Record<string, string> = {
	created: 'Queued',
	ready: 'Ready',
	running: 'Running',
	succeeded: 'Finished',
	failed: 'Failed',
	timed_out: 'Timed out',
	aborted: 'Stopped'
};

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en');

/** 12,345 → "12.3K" (the exact number goes in a title). */
export const compactNumber = (n: number) => compact.format(n);
export const wholeNumber = (n: number) => whole.format(n);
/** 0.0345 → "3.45 %". */
export const percent = (fraction: number) =>
	`${(fraction * 100).toLocaleString('en', { maximumFractionDigits: 2 })} %`;
