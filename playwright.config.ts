// E2E against the production build (`vite build`, then `node build`), on a throwaway
// local platform (Postgres, Auth API, mailbox on free ports) that `platform/cli.ts e2e`
// starts and describes in .data/e2e/stack.json (read by tests/e2e/stack.ts).
import { existsSync } from 'node:fs';
import { defineConfig, devices } from '@playwright/test';

const appPort = Number(process.env.GD_APP_PORT ?? 4173);
const baseURL = `http://127.0.0.1:${appPort}`;

// Debian's chromium when present (CI installs it); else Playwright's own browser.
const systemChromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const executablePath = existsSync(systemChromium) ? systemChromium : undefined;

export default defineConfig({
	testDir: 'tests/e2e',
	testMatch: '**/*.spec.ts',
	fullyParallel: true,
	workers: process.env.CI ? 2 : undefined,
	forbidOnly: !!process.env.CI,
	// A retry re-sends emails and repeats sign-ups; a flaky step should be fixed instead.
	retries: 0,
	// Limits for a 2-core machine that is also running other work (CI machines do): pages
	// that answer in a second when idle can take ten under load. Specs wait on what a
	// person would see, never on fixed sleeps.
	timeout: 120_000,
	expect: { timeout: 20_000 },
	reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
	use: {
		baseURL,
		trace: 'retain-on-failure',
		screenshot: 'only-on-failure',
		locale: 'en-US'
	},
	projects: [
		{
			name: 'chromium',
			use: {
				...devices['Desktop Chrome'],
				launchOptions: {
					executablePath,
					args: [
						'--no-sandbox',
						'--disable-gpu',
						'--disable-background-networking',
						'--disable-component-update',
						'--disable-sync',
						'--no-first-run'
					]
				}
			}
		}
	],
	webServer: {
		// `npm run test:e2e` builds once before Playwright starts; this only serves the build.
		command: 'node platform/cli.ts e2e',
		url: baseURL,
		// Supabase Storage's default ETag (an MD5 of the bytes), which the files specs check as
		// the catalogue's checksum; the dev platform's default is mtime (platform/storage/etag.ts).
		env: { GD_APP_PORT: String(appPort), STORAGE_FILE_ETAG_ALGORITHM: 'md5' },
		timeout: 240_000,
		// GD_E2E_REUSE=1: use a stack already started with `GD_APP_PORT=… node platform/cli.ts e2e`.
		reuseExistingServer: process.env.GD_E2E_REUSE === '1',
		stdout: 'pipe',
		stderr: 'pipe'
	}
});
