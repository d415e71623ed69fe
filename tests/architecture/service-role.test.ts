// The service-role path bypasses RLS. It is for workers and verified webhooks;
// no page, action or endpoint may reach it, directly or through a module it imports.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const SERVICE_ROLE = /\basService\b|service_role|SERVICE_ROLE/;

async function filesUnder(dir: string): Promise<string[]> {
	const entries = await readdir(dir, { withFileTypes: true, recursive: true });
	return entries
		.filter((e) => e.isFile() && /\.(ts|js|svelte)$/.test(e.name))
		.map((e) => join(e.parentPath, e.name));
}

/** Files under src/lib a route can import, besides the db module that defines the path. */
const ALLOWED = ['src/lib/server/db/rls.ts', 'src/lib/server/db/index.ts'];

it('no route, hook or shared module the routes use touches the service-role path', async () => {
	const files = [
		...(await filesUnder('src/routes')),
		'src/hooks.server.ts',
		...(await filesUnder('src/lib')).filter((f) => !f.startsWith('src/lib/server/worker'))
	];
	const offenders: string[] = [];
	for (const file of files) {
		if (ALLOWED.includes(file)) continue;
		const text = await readFile(file, 'utf8').catch(() => '');
		if (SERVICE_ROLE.test(text)) offenders.push(file);
	}
	expect(offenders).toEqual([]);
});
