// The product's modules that exist in this build. The permission catalog in the
// database names every module planned (campaigns, files, finance, …) so that roles
// need no migration as modules land; the role editor offers only what exists.
// A module adds its key here when it lands.
export const LIVE_MODULES: ReadonlySet<string> = new Set([
	'org',
	'members',
	'roles',
	'audit',
	'brands',
	'contacts',
	// Campaigns: the workspace and wizard, products and audiences
	// (campaigns.write, campaigns.products, campaigns.review).
	'campaigns',
	'automations',
	'webhooks',
	'files',
	// Message templates: the library and the block editor (templates.write).
	'templates',
	// Finance documents and approvals (finance.write, finance.approve).
	'finance',
	// Brand lift studies: setup, review, survey and report (studies.write, studies.review).
	'studies',
	// Influencer CRM: records, the board, outreach (influencers.write).
	'influencers'
]);

/** The module a permission belongs to: `contacts.write` → `contacts`. */
export function moduleOf(permission: string): string {
	return permission.split('.')[0] ?? permission;
}

export function isLive(permission: string): boolean {
	return LIVE_MODULES.has(moduleOf(permission));
}
