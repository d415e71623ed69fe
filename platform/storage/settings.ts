// Storage's settings from supabase/config.toml: [storage] file_size_limit, the project's
// upload limit ("50MiB" by default), as the Supabase CLI reads it.
import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { DEFAULT_FILE_SIZE_LIMIT } from './index.ts';

const UNITS: Record<string, number> = {
	b: 1,
	k: 1024,
	kb: 1024,
	kib: 1024,
	m: 1024 ** 2,
	mb: 1024 ** 2,
	mib: 1024 ** 2,
	g: 1024 ** 3,
	gb: 1024 ** 3,
	gib: 1024 ** 3
};

/** `50MiB`, `5MB`, `500KB` in bytes (the CLI counts every unit in powers of 1024). */
export function parseConfigSize(value: string): number | undefined {
	const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
	const unit = UNITS[(match?.[2] || 'b').toLowerCase()];
	return match && unit ? Math.floor(Number(match[1]) * unit) : undefined;
}

export function readStorageFileSizeLimit(configToml: string): number {
	const config = parse(readFileSync(configToml, 'utf8')) as {
		storage?: { file_size_limit?: string };
	};
	const value = config.storage?.file_size_limit;
	return (value && parseConfigSize(value)) || DEFAULT_FILE_SIZE_LIMIT;
}
