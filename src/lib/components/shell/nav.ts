// The sections of the app. Inside an organization they point into /<org>/…;
// later modules give theirs an href as they land.
import { resolve } from '$app/paths';
import type { ResolvedPathname } from '$app/types';
import type { IconName } from '../icons';

export type NavItem = {
	label: string;
	icon: IconName;
	href?: ResolvedPathname;
	/** Current only on exactly this path, not on the pages under it. */
	exact?: boolean;
	children?: NavItem[];
};

const soon: NavItem[] = [
	{ label: 'Inbox', icon: 'inbox' },
	{ label: 'Sites', icon: 'sites' }
];

/** The navigation for an organization (or, outside one, the home page alone). */
export function navFor(orgSlug: string | null, permissions: readonly string[]): NavItem[] {
	// Without an organization there is nothing to navigate to yet but the home page
	// (which offers to create one); pages outside one pass the person's home organization.
	if (!orgSlug) return [{ label: 'Home', icon: 'home', href: resolve('/'), exact: true }];
	const org = { org: orgSlug };
	const can = (permission: string) => permissions.includes(permission);
	const settings: (NavItem | false)[] = [
		{
			label: 'General',
			icon: 'building',
			href: resolve('/(app)/[org=slug]/settings', org),
			exact: true
		},
		{
			label: 'Branding',
			icon: 'palette',
			href: resolve('/(app)/[org=slug]/settings/branding', org)
		},
		{ label: 'Brands', icon: 'store', href: resolve('/(app)/[org=slug]/settings/brands', org) },
		{ label: 'Members', icon: 'users', href: resolve('/(app)/[org=slug]/settings/members', org) },
		can('members.manage') && {
			label: 'Invitations',
			icon: 'send',
			href: resolve('/(app)/[org=slug]/settings/invitations', org)
		},
		{ label: 'Roles', icon: 'shield', href: resolve('/(app)/[org=slug]/settings/roles', org) },
		{
			label: 'Custom fields',
			icon: 'fields',
			href: resolve('/(app)/[org=slug]/settings/fields', org)
		},
		can('automations.write') && {
			label: 'Automation secrets',
			icon: 'shield',
			href: resolve('/(app)/[org=slug]/settings/secrets', org)
		},
		can('webhooks.manage') && {
			label: 'Webhooks',
			icon: 'send',
			href: resolve('/(app)/[org=slug]/settings/webhooks', org)
		},
		can('audit.read') && {
			label: 'Audit log',
			icon: 'history',
			href: resolve('/(app)/[org=slug]/settings/audit', org)
		}
	];
	return [
		{ label: 'Home', icon: 'home', href: resolve('/(app)/[org=slug]', org), exact: true },
		{ label: 'Campaigns', icon: 'campaigns', href: resolve('/(app)/[org=slug]/campaigns', org) },
		{
			label: 'Influencers',
			icon: 'users',
			href: resolve('/(app)/[org=slug]/influencers', org)
		},
		{ label: 'Templates', icon: 'mail', href: resolve('/(app)/[org=slug]/templates', org) },
		{ label: 'Contacts', icon: 'contacts', href: resolve('/(app)/[org=slug]/contacts', org) },
		{ label: 'Segments', icon: 'segments', href: resolve('/(app)/[org=slug]/segments', org) },
		{ label: 'Imports', icon: 'upload', href: resolve('/(app)/[org=slug]/imports', org) },
		{
			label: 'Automations',
			icon: 'automations',
			href: resolve('/(app)/[org=slug]/automations', org)
		},
		{
			label: 'Automation runs',
			icon: 'activity',
			href: resolve('/(app)/[org=slug]/automations/runs', org)
		},
		{ label: 'Files', icon: 'folder', href: resolve('/(app)/[org=slug]/files', org) },
		{ label: 'Finance', icon: 'chart', href: resolve('/(app)/[org=slug]/finance', org) },
		{
			label: 'Marketplace',
			icon: 'users',
			href: resolve('/(app)/[org=slug]/influencers/marketplace', org)
		},
		{
			label: 'Data runs',
			icon: 'activity',
			href: resolve('/(app)/[org=slug]/influencers/runs', org)
		},
		...soon,
		{ label: 'Audiences', icon: 'users', href: resolve('/(app)/[org=slug]/audiences', org) },
		{ label: 'Products', icon: 'tag', href: resolve('/(app)/[org=slug]/products', org) },
		{
			label: 'Settings',
			icon: 'settings',
			href: resolve('/(app)/[org=slug]/settings', org),
			children: settings.filter((item): item is NavItem => item !== false)
		}
	];
}

function matches(item: NavItem, pathname: string): boolean {
	if (!item.href) return false;
	if (item.exact) return pathname === item.href;
	return pathname === item.href || pathname.startsWith(`${item.href}/`);
}

/**
 * The href of the current page's item: the most specific one that matches, so
 * /automations/runs marks "Automation runs" and not "Automations" as well.
 */
export function currentHref(items: NavItem[], pathname: string): string | null {
	let best: string | null = null;
	for (const item of items.flatMap((i) => [i, ...(i.children ?? [])])) {
		if (matches(item, pathname) && item.href!.length > (best?.length ?? -1)) best = item.href!;
	}
	return best;
}

const UUID_SEGMENT = /^[0-9a-f]{8}-[0-9a-f]{4}-/;

/**
 * Where switching to another organization leads: the same section there
 * (/a/settings/brands → /b/settings/brands), never a record of the first one.
 */
export function switchTarget(pathname: string, from: string | null, to: string): ResolvedPathname {
	const home = resolve('/(app)/[org=slug]', { org: to });
	const segments = pathname.split('/').slice(1);
	if (!from || segments[0] !== from) return home;
	const rest: string[] = [];
	for (const segment of segments.slice(1)) {
		if (UUID_SEGMENT.test(segment) || segment === 'new') break;
		rest.push(segment);
	}
	return (rest.length ? `${home}/${rest.join('/')}` : home) as ResolvedPathname;
}
