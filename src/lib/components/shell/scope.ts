// What the shell shows about organizations, read from the page's data: the
// /<org> layout provides the current organization, its branding, the person's
// organizations and their permissions; other pages may provide just the list
// (or nothing).
import type { ShellBranding } from './branding';

export type ShellOrg = { name: string; slug: string; role: string };

export type ShellScope = {
	/** The organization the page belongs to; null outside /<org>/…. */
	org: ShellOrg | null;
	/** The person's organizations, when the page loaded them. */
	orgs: ShellOrg[] | null;
	/** Outside /<org>/…: the organization the navigation leads into (last visited or first). */
	homeOrg: ShellOrg | null;
	permissions: readonly string[];
	/** The current organization's branding; null outside /<org>/…. */
	branding: ShellBranding | null;
};

function isOrg(value: unknown): value is ShellOrg {
	if (typeof value !== 'object' || value === null) return false;
	const o = value as Record<string, unknown>;
	return typeof o.name === 'string' && typeof o.slug === 'string' && typeof o.role === 'string';
}

function isBranding(value: unknown): value is ShellBranding {
	if (typeof value !== 'object' || value === null) return false;
	const b = value as Record<string, unknown>;
	return (
		typeof b.primaryColor === 'string' &&
		typeof b.fontFamily === 'string' &&
		(b.logoUrl === null || typeof b.logoUrl === 'string')
	);
}

export function shellScope(data: Record<string, unknown>): ShellScope {
	const { org, orgs, homeOrg, permissions, branding } = data;
	return {
		org: isOrg(org) ? org : null,
		homeOrg: isOrg(homeOrg) ? homeOrg : null,
		orgs: Array.isArray(orgs) ? orgs.filter(isOrg) : null,
		permissions: Array.isArray(permissions)
			? permissions.filter((p): p is string => typeof p === 'string')
			: [],
		branding: isOrg(org) && isBranding(branding) ? branding : null
	};
}
