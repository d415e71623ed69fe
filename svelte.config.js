import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter(),
		// Cross-site form posts are refused by src/hooks.server.ts (src/lib/server/csrf.ts):
		// the same check as SvelteKit's, except for the one-click unsubscribe link (RFC 8058),
		// which SvelteKit's own check would refuse before any hook runs. Keep that hook.
		csrf: { trustedOrigins: ['*'] }
	}
};

export default config;
