// Items and runs for the marketplace tests: what a provider delivers to the
// data-runs webhook (the same shape private.data_run_receive() takes).
export type RunItem = Record<string, unknown>;

export function profileItem(n: number, overrides: RunItem = {}): RunItem {
	return {
		platform: 'instagram',
		external_id: `ig-${n}`,
		handle: `creator.${n}`,
		display_name: `Creator ${n}`,
		profile_url: `https://instagram.com/creator.${n}`,
		followers: 10_000 + n,
		engagement_rate: 0.031,
		avg_views: 5_000,
		country: 'FR',
		language: 'fr',
		categories: ['beauty'],
		audience: {
			ages: { '18-24': 0.5, '25-34': 0.4 },
			genders: { female: 0.7, male: 0.3 },
			countries: { FR: 0.6, BE: 0.2 }
		},
		...overrides
	};
}

export function run(runId: string, status: string, extra: RunItem = {}): RunItem {
	return { provider: 'standin', run_id: runId, task_id: 'task-1', status, ...extra };
}
