// What the shell shows about organizations, read from the page's data: the
// /<org> layout provides the current organization, the person's organizations
// and their permissions; other pages may provide just the list (or nothing).
export type ShellOrg = { name: string; slug: string; role: string };

export type ShellScope = {
	/** The organization the page belongs to; null outside /<org>/…. */
	org: ShellOrg | null;
	/** The person's organizations, when the page loaded them. */
	orgs: ShellOrg[] | null;
	permissions: readonly string[];
};

function isOrg(value: unknown): value is ShellOrg {
	if (typeof value !== 'object' || value === null) return false;
	const o = value as Record<string, unknown>;
	return typeof o.name === 'string' && typeof o.slug === 'string' && typeof o.role === 'string';
}

export function shellScope(data: Record<string, unknown>): ShellScope {
	const { org, orgs, permissions } = data;
	return {
		org: isOrg(org) ? org : null,
		orgs: Array.isArray(orgs) ? orgs.filter(isOrg) : null,
		permissions: Array.isArray(permissions)
			? permissions.filter((p): p is string => typeof p === 'string')
			: []
	};
}
