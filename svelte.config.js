import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter(),
		// Form actions are protected by SvelteKit's origin check; keep it on.
		csrf: { trustedOrigins: [] }
	}
};

export default config;
