// The global influencer marketplace: search and data runs. Use as
// `import * as marketplace from '$lib/server/marketplace'`. Writes happen only
// through verified ingestion (supabase/functions/data-runs), never here.
export { search, searchQuery, PAGE_SIZE, type ProfileRow } from './search.ts';
export { listRuns, getRun, RUNS_PAGE, type RunSummary, type RunDetail } from './runs.ts';
export {
	getInfluencer,
	HISTORY_POINTS,
	type MarketplaceInfluencer,
	type MarketplaceProfile,
	type AudienceSplit
} from './profile.ts';
export {
	InvalidCursorError,
	RunNotFoundError,
	MarketplaceInfluencerNotFoundError
} from './errors.ts';
export {
	searchSchema,
	runsQuerySchema,
	PLATFORMS,
	SORTS,
	RUN_STATUSES,
	type Search
} from './schemas.ts';
