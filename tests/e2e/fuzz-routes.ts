// What the bad-input fuzz (no-500-on-bad-input.spec.ts) sends requests to:
// every page, form action and endpoint found by walking src/routes, so a route
// added tomorrow is fuzzed without anyone listing it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export type Route = {
	/** The route id as SvelteKit writes it, e.g. `/(app)/[org=slug]/contacts/[id=uuid]`. */
	id: string;
	segments: string[];
	/** A page answers GET (a +page.svelte, with or without +page.server.ts). */
	page: boolean;
	/** Form actions of +page.server.ts: 'default' or the names (`?/name`). */
	actions: string[];
	/** Methods exported by +server.ts. */
	methods: string[];
	/** Query parameters the route's own files read (added to a generic list). */
	queryNames: string[];
};

const ROUTES_DIR = 'src/routes';
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

function read(path: string): string {
	try {
		return readFileSync(path, 'utf8');
	} catch {
		return '';
	}
}

/** The keys of `export const actions = { … }`: one tab deep, as prettier writes them. */
export function actionNames(source: string): string[] {
	const start = source.indexOf('export const actions');
	if (start < 0) return [];
	const body = source.slice(start);
	const end = body.search(/^\};?$/m);
	const block = end < 0 ? body : body.slice(0, end);
	return [...block.matchAll(/^\t([A-Za-z_$][\w$]*)\s*[:(]/gm)].map((m) => m[1]!);
}

function queryNamesIn(source: string): string[] {
	const names = new Set<string>();
	for (const m of source.matchAll(/searchParams\.(?:get|getAll|has)\('([\w-]+)'\)/g))
		names.add(m[1]!);
	for (const m of source.matchAll(/query\.set\('([\w-]+)'/g)) names.add(m[1]!);
	return [...names];
}

function walk(dir: string, found: Route[]): void {
	const files = readdirSync(dir);
	const here = (name: string) => files.includes(name);
	const pageServer = read(join(dir, '+page.server.ts'));
	const server = read(join(dir, '+server.ts'));
	const page = here('+page.svelte');
	if (page || server) {
		const rel = relative(ROUTES_DIR, dir);
		const segments = rel === '' ? [] : rel.split(sep);
		// The route's own files and the schema beside it say which query parameters it reads.
		const own = files
			.filter((f) => /\.(ts|svelte)$/.test(f))
			.map((f) => read(join(dir, f)))
			.join('\n');
		found.push({
			id: '/' + segments.join('/'),
			segments,
			page,
			actions: actionNames(pageServer),
			methods: METHODS.filter((m) =>
				new RegExp(`export (const|async function|function) ${m}\\b`).test(server)
			),
			queryNames: queryNamesIn(own)
		});
	}
	for (const name of files.sort()) {
		const path = join(dir, name);
		if (statSync(path).isDirectory()) walk(path, found);
	}
}

export function discoverRoutes(): Route[] {
	const found: Route[] = [];
	walk(ROUTES_DIR, found);
	return found;
}

/**
 * The path of a route with its parameters filled in. `value` picks the value
 * of each `[param]` or `[param=matcher]` segment from the segment before it
 * (an `[id=uuid]` after `contacts` is a contact's id); groups `(app)` vanish.
 */
export function pathOf(
	route: Route,
	value: (param: string, previous: string | undefined) => string
): string {
	const parts: string[] = [];
	let previous: string | undefined;
	for (const segment of route.segments) {
		if (/^\(.*\)$/.test(segment)) continue;
		const param = segment.match(/^\[(\w+)(?:=\w+)?\]$/);
		parts.push(param ? value(param[1]!, previous) : segment);
		previous = segment;
	}
	return '/' + parts.join('/');
}
