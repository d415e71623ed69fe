// Which edge functions exist and how each is served, as the Supabase CLI sees
// it: every folder of supabase/functions whose name is a function slug and
// that has an index.ts (folders starting with `_`, such as _shared, are not
// functions), with `[functions.<name>]` of supabase/config.toml on top:
// verify_jwt (default true), enabled (default true), entrypoint.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'smol-toml';

export type FunctionConfig = {
	name: string;
	/** Absolute path of the entrypoint. */
	entrypoint: string;
	verifyJwt: boolean;
};

const SLUG = /^[A-Za-z][A-Za-z0-9_-]*$/;

type TomlFunction = { verify_jwt?: unknown; enabled?: unknown; entrypoint?: unknown };

export function readFunctions(
	functionsDir: string,
	configToml?: string
): Map<string, FunctionConfig> {
	const settings: Record<string, TomlFunction> = {};
	if (configToml && existsSync(configToml)) {
		const parsed = parse(readFileSync(configToml, 'utf8')) as {
			functions?: Record<string, TomlFunction>;
		};
		Object.assign(settings, parsed.functions ?? {});
	}
	const found = new Map<string, FunctionConfig>();
	const names = existsSync(functionsDir)
		? readdirSync(functionsDir, { withFileTypes: true })
				.filter((d) => d.isDirectory() && SLUG.test(d.name))
				.map((d) => d.name)
		: [];
	for (const name of new Set([...names, ...Object.keys(settings)])) {
		const own = settings[name] ?? {};
		if (own.enabled === false) continue;
		const entrypoint =
			typeof own.entrypoint === 'string' && configToml
				? resolve(join(configToml, '..'), own.entrypoint)
				: join(resolve(functionsDir), name, 'index.ts');
		if (!existsSync(entrypoint)) continue;
		found.set(name, { name, entrypoint, verifyJwt: own.verify_jwt !== false });
	}
	return found;
}
