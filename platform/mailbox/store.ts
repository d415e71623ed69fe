// Where caught mail lives: in memory, newest first, capped so a runaway sender cannot eat the
// dev machine's memory. With a store file, every message is also appended as one JSON line and
// the file is read back on start, so mail survives a restart of `npm run dev`.
//
// File writes are synchronous on purpose: the line is on disk before the SMTP server answers
// 250 OK, lines never interleave, and a dev mailbox writes a handful of small lines a minute.
import {
	appendFileSync,
	existsSync,
	mkdirSync,
	readFileSync,
	renameSync,
	writeFileSync
} from 'node:fs';
import { dirname } from 'node:path';
import { isAddressedTo, isMailMessage, type MailMessage } from './types.ts';

export const DEFAULT_CAPACITY = 1000;

export type MailStore = {
	add(message: MailMessage): void;
	/** Newest first; `to` keeps only mail delivered to that address (case-insensitive). */
	list(filter?: { to?: string }): MailMessage[];
	get(id: string): MailMessage | undefined;
	clear(): void;
	/** How many messages were read back from the store file on start. */
	readonly loaded: number;
};

export function createStore(opts: { file?: string; capacity?: number } = {}): MailStore {
	const capacity = opts.capacity ?? DEFAULT_CAPACITY;
	const file = opts.file;
	let messages: MailMessage[] = [];
	// Lines in the file; it is rewritten from memory once it holds twice the capacity,
	// so the file stays bounded like the memory does.
	let fileLines = 0;

	function rewriteFile(): void {
		if (!file) return;
		const oldestFirst = [...messages].reverse();
		const body = oldestFirst.map((m) => JSON.stringify(m) + '\n').join('');
		// Write then rename, so a crash mid-rewrite never leaves a half file.
		writeFileSync(`${file}.tmp`, body);
		renameSync(`${file}.tmp`, file);
		fileLines = messages.length;
	}

	if (file) {
		mkdirSync(dirname(file), { recursive: true });
		if (existsSync(file)) {
			const { loaded, lines, skipped } = readStoreFile(file);
			messages = loaded.reverse().slice(0, capacity);
			fileLines = lines;
			// Drop unreadable lines (e.g. a line cut short by a crash) and mail over the cap.
			if (skipped > 0 || lines > messages.length) rewriteFile();
		}
	}
	const loaded = messages.length;

	return {
		loaded,
		add(message) {
			messages.unshift(message);
			if (messages.length > capacity) messages.length = capacity;
			if (!file) return;
			appendFileSync(file, JSON.stringify(message) + '\n');
			fileLines += 1;
			if (fileLines >= capacity * 2) rewriteFile();
		},
		list(filter) {
			const to = filter?.to?.trim();
			return to ? messages.filter((m) => isAddressedTo(m, to)) : [...messages];
		},
		get(id) {
			return messages.find((m) => m.id === id);
		},
		clear() {
			messages = [];
			rewriteFile();
		}
	};
}

function readStoreFile(file: string): { loaded: MailMessage[]; lines: number; skipped: number } {
	const loaded: MailMessage[] = [];
	let lines = 0;
	let skipped = 0;
	for (const line of readFileSync(file, 'utf8').split('\n')) {
		if (line.trim() === '') continue;
		lines += 1;
		const value = parseJson(line);
		if (isMailMessage(value)) loaded.push(value);
		else skipped += 1;
	}
	return { loaded, lines, skipped };
}

function parseJson(line: string): unknown {
	try {
		return JSON.parse(line);
	} catch {
		return undefined;
	}
}
