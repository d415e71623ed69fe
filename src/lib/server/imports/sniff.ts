// Reads the start of an upload: its encoding, whether it is CSV or TSV, the
// header and a few sample rows. The worker does the real parsing (Postgres
// COPY); this is what the mapping step shows.
import { parse } from 'csv-parse/sync';
import { ImportFileError } from './errors.ts';

export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';
export type Format = 'csv' | 'tsv';

export type Sniffed = {
	encoding: Encoding;
	format: Format;
	headers: string[];
	/** Up to 20 data rows, as text. */
	sample: string[][];
};

/** How many bytes of the file sniffing reads. */
export const SNIFF_BYTES = 64 * 1024;

export function detectEncoding(head: Buffer): Encoding {
	if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
	if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
	if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
	// UTF-16 without a byte order mark: ASCII text has a zero in every other byte.
	let evenZeros = 0;
	let oddZeros = 0;
	const n = Math.min(head.length, 4096);
	for (let i = 0; i < n; i++) {
		if (head[i] !== 0) continue;
		if (i % 2 === 0) evenZeros++;
		else oddZeros++;
	}
	if (oddZeros > n / 8 && oddZeros > evenZeros * 4) return 'utf-16le';
	if (evenZeros > n / 8 && evenZeros > oddZeros * 4) return 'utf-16be';
	// Valid UTF-8 (ignoring a sequence cut at the end of a full sample), else the usual Excel encoding.
	const cut = head.length >= SNIFF_BYTES ? head.length - 4 : head.length;
	try {
		new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, cut));
		return 'utf-8';
	} catch {
		return 'windows-1252';
	}
}

/** Decodes with an encoding (windows-1252 is what WHATWG calls it too). */
export function decode(bytes: Buffer, encoding: Encoding): string {
	return new TextDecoder(encoding, { fatal: false }).decode(bytes).replace(/^\uFEFF/, '');
}

function detectFormat(firstLine: string): Format {
	const tabs = firstLine.split('\t').length - 1;
	const commas = firstLine.split(',').length - 1;
	return tabs > commas ? 'tsv' : 'csv';
}

/**
 * Encoding, format, header and sample rows of a file's first bytes. An
 * explicit encoding or format (chosen by the user) wins over detection.
 */
export function sniff(
	head: Buffer,
	chosen: { encoding?: Encoding; format?: Format } = {}
): Sniffed {
	if (head.length === 0) throw new ImportFileError('The file is empty.');
	const encoding = chosen.encoding ?? detectEncoding(head);
	let text = decode(head, encoding);
	if (text.includes('\u0000'))
		throw new ImportFileError('The file is not a text file (or its encoding is not supported).');
	// Only whole lines: the sample may end in the middle of one.
	const complete = head.length >= SNIFF_BYTES;
	if (complete) text = text.slice(0, Math.max(text.lastIndexOf('\n'), 0));
	const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
	if (firstLine.trim() === '')
		throw new ImportFileError('The first row (the header) is empty.', 'Row 1');
	const format = chosen.format ?? detectFormat(firstLine);
	const options = {
		delimiter: format === 'tsv' ? '\t' : ',',
		relax_column_count: true,
		skip_empty_lines: true,
		to_line: 21
	};
	let records: string[][];
	try {
		records = parse(text, options);
	} catch (error) {
		const line = (error as { lines?: number }).lines;
		// A sample that ends inside a quoted value is not the file's fault.
		try {
			records = parse(firstLine, options);
		} catch {
			throw new ImportFileError(
				`The header cannot be read: ${(error as Error).message}`,
				line === undefined ? undefined : `Line ${Math.max(1, line)}`
			);
		}
	}
	const [header = [], ...rows] = records;
	const headers = header.map((h, i) => h.trim() || `Column ${i + 1}`);
	if (headers.length === 0) throw new ImportFileError('The header has no columns.', 'Row 1');
	return { encoding, format, headers, sample: rows };
}
