// A row id in a URL (brands, custom roles): anything but a uuid 404s before any query.
import type { ParamMatcher } from '@sveltejs/kit';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const match: ParamMatcher = (param) => UUID.test(param);
