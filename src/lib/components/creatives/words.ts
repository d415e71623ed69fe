// The words the creatives pages show for review states and brief lines.
import { DELIVERABLES, PLATFORMS } from '$lib/schemas/campaign-brief';

/** Badge.svelte's tones (tsc reads no types out of .svelte files). */
type BadgeTone = 'neutral' | 'brand' | 'success' | 'warning' | 'danger';

export type ReviewStatus = 'pending' | 'approved' | 'changes_requested';

export const STATUS_WORDS: Record<ReviewStatus, { label: string; tone: BadgeTone }> = {
	pending: { label: 'Waiting for review', tone: 'warning' },
	approved: { label: 'Approved', tone: 'success' },
	changes_requested: { label: 'Changes requested', tone: 'danger' }
};

/** "Reel on Instagram, 9:16". */
export function requirementTitle(r: { deliverable: string; platform: string; format: string }) {
	const what = DELIVERABLES[r.deliverable as keyof typeof DELIVERABLES] ?? r.deliverable;
	const where = PLATFORMS[r.platform as keyof typeof PLATFORMS] ?? r.platform;
	return `${what} on ${where}${r.format ? `, ${r.format}` : ''}`;
}

export function dueWords(dueOn: string | null): string | null {
	if (!dueOn) return null;
	return new Date(`${dueOn}T00:00:00Z`).toLocaleDateString('en-GB', {
		day: 'numeric',
		month: 'short',
		year: 'numeric',
		timeZone: 'UTC'
	});
}
