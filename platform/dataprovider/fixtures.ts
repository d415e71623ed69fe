// The stand-in data provider's fixture runs. Their profiles are the demo
// marketplace's (platform/demo/85-marketplace.sql builds the same external
// ids, handles and names), so a played run visibly updates profiles the demo
// shows; each play grows followers a little more than the one before.
export const FIXTURES = ['success', 'partial', 'failed', 'timed_out'] as const;
export type Fixture = (typeof FIXTURES)[number];

export const FIXTURE_LABELS: Record<Fixture, string> = {
	success: 'Success: 24 profiles refreshed',
	partial: 'Partial: 20 profiles, 4 bad items refused',
	failed: 'Failed: the scraper crashed, nothing delivered',
	timed_out: 'Timed out: 8 profiles delivered before the time limit'
};

/** The demo's platforms, in the order platform/demo/85-marketplace.sql cycles through them. */
export const DEMO_PLATFORMS = [
	'instagram',
	'tiktok',
	'youtube',
	'twitch',
	'x',
	'linkedin'
] as const;
const FIRST = [
	'Ava',
	'Leo',
	'Mia',
	'Noah',
	'Zoe',
	'Liam',
	'Emma',
	'Hugo',
	'Lina',
	'Omar',
	'Sara',
	'Yuki'
];
const LAST = [
	'Martin',
	'Rossi',
	'Kim',
	'Dubois',
	'Silva',
	'Novak',
	'Berg',
	'Costa',
	'Haddad',
	'Ito',
	'Moreau'
];
const COUNTRIES = ['FR', 'US', 'GB', 'DE', 'ES', 'IT', 'BR', 'JP'];
const LANGUAGES = ['fr', 'en', 'en', 'de', 'es', 'it', 'pt', 'ja'];
const CATEGORIES = [
	'beauty',
	'fashion',
	'fitness',
	'food',
	'gaming',
	'travel',
	'tech',
	'parenting'
];

/** The demo's influencer n (1-based) as an item of a run, followers grown by `growth`. */
export function demoProfile(n: number, growth: number): Record<string, unknown> {
	const platform = DEMO_PLATFORMS[(n - 1) % DEMO_PLATFORMS.length]!;
	const base = Math.round(1000 * 1.035 ** ((n * 37) % 300));
	const c = (n - 1) % COUNTRIES.length;
	return {
		platform,
		external_id: `demo-${platform}-${n}`,
		handle: `creator${n}`,
		display_name: `${FIRST[(n - 1) % FIRST.length]} ${LAST[(n - 1) % LAST.length]}`,
		profile_url: `https://example.com/${platform}/creator${n}`,
		followers: Math.round(base * growth),
		engagement_rate: Number((0.01 + ((n * 13) % 70) / 1000).toFixed(4)),
		avg_views: Math.round(base * 0.3 * growth),
		country: COUNTRIES[c],
		language: LANGUAGES[c],
		categories: [CATEGORIES[(n - 1) % CATEGORIES.length]],
		audience: {
			ages: { '18-24': 0.45, '25-34': 0.35, '35-44': 0.2 },
			genders: { female: 0.6, male: 0.38, other: 0.02 },
			countries: { [COUNTRIES[c]!]: 0.55, [COUNTRIES[(c + 1) % COUNTRIES.length]!]: 0.25 }
		}
	};
}

export type Delivery = { status: string; message?: string; items: Array<Record<string, unknown>> };

/** The deliveries a fixture run makes, in order (the webhook gets one per status change). */
export function fixtureDeliveries(fixture: Fixture, growth: number): Delivery[] {
	const profiles = (count: number) =>
		Array.from({ length: count }, (_, i) => demoProfile(i + 1, growth));
	switch (fixture) {
		case 'success':
			return [
				{ status: 'running', items: [] },
				{ status: 'succeeded', message: 'Refreshed 24 profiles.', items: profiles(24) }
			];
		case 'partial': {
			const good = profiles(20);
			const bad = [
				{ ...demoProfile(21, growth), platform: 'myspace' },
				{ ...demoProfile(22, growth), followers: -120 },
				{
					...demoProfile(23, growth),
					handle: 'twin.creator',
					platform: 'instagram',
					external_id: 'dup-a'
				},
				{
					...demoProfile(24, growth),
					handle: 'twin.creator',
					platform: 'instagram',
					external_id: 'dup-b'
				}
			];
			return [
				{ status: 'running', items: [] },
				{
					status: 'succeeded',
					message: 'Finished with some unreadable profiles.',
					items: [...good, ...bad]
				}
			];
		}
		case 'failed':
			return [
				{ status: 'running', items: [] },
				{
					status: 'failed',
					message: 'The scraper crashed (HTTP 503 from the platform).',
					items: []
				}
			];
		case 'timed_out':
			return [
				{ status: 'running', items: profiles(8) },
				{ status: 'timed_out', message: 'Stopped after the 300-second limit.', items: [] }
			];
	}
}
