// The sections of the app. Later modules give theirs an href as they land.
import { resolve } from '$app/paths';
import type { ResolvedPathname } from '$app/types';
import type { IconName } from '../icons';

export type NavItem = { label: string; icon: IconName; href?: ResolvedPathname };

export const navItems: NavItem[] = [
	{ label: 'Home', icon: 'home', href: resolve('/') },
	{ label: 'Contacts', icon: 'contacts' },
	{ label: 'Campaigns', icon: 'campaigns' },
	{ label: 'Automations', icon: 'automations' },
	{ label: 'Inbox', icon: 'inbox' },
	{ label: 'Sites', icon: 'sites' },
	{ label: 'Settings', icon: 'settings' }
];

/** Whether `href` is the current section (Home only on "/", others on their subtree). */
export function isCurrent(href: string, pathname: string): boolean {
	if (href === resolve('/')) return pathname === href;
	return pathname === href || pathname.startsWith(`${href}/`);
}
