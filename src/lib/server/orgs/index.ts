// Organizations. Use as `import * as orgs from '$lib/server/orgs'`.
export {
	create,
	findBySlug,
	getBranding,
	listMine,
	permissionsOf,
	remove,
	update,
	updateBranding,
	type Branding,
	type OrgRole,
	type OrgScope,
	type OrgSummary
} from './queries';
export { pickHome, rememberOrg, withOrg } from './context';
