// An organization's slug in a URL (/<org>/…): malformed or reserved values are
// not organizations, so they 404 before any query runs.
import type { ParamMatcher } from '@sveltejs/kit';
import { RESERVED_SLUGS, SLUG_PATTERN } from '$lib/schemas/orgs';

export const match: ParamMatcher = (param) =>
	SLUG_PATTERN.test(param) && !RESERVED_SLUGS.has(param);
