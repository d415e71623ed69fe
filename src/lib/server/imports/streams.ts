// Byte-level stream stages between the stored file and Postgres COPY.
import { Transform, type TransformCallback } from 'node:stream';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);

/**
 * Replaces each blank line (outside quoted values) by a row of empty cells.
 * COPY refuses blank lines ("missing data for column"), spreadsheets leave
 * them about, and replacing rather than dropping keeps every row number the
 * number the user sees in their spreadsheet. The pipeline skips empty rows.
 * Works on UTF-8 and single-byte encodings (quote and newline bytes never
 * occur inside a multi-byte UTF-8 sequence).
 */
export class BlankLineFiller extends Transform {
	/** Inside a quoted value (at the end of the file: a quote never closed). */
	inQuote = false;
	/** Whether a quoted value spanned lines (then line numbers and row numbers differ). */
	quotedNewlines = false;
	/** The row (header = 1) where the last quoted value opened. */
	quoteOpenedAtRow = 0;
	private row = 1;
	private lineHasData = false;
	private carry: Buffer = EMPTY;
	private readonly emptyRow: Buffer;

	constructor(delimiter: string, columns: number) {
		super();
		this.emptyRow = Buffer.from(delimiter.repeat(Math.max(columns - 1, 0)) || '""');
	}

	override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
		const buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
		this.carry = EMPTY;
		const out: Buffer[] = [];
		let flushed = 0;
		let lineStart = 0;
		for (let i = 0; i < buf.length; i++) {
			const b = buf[i];
			if (b === QUOTE) {
				if (!this.inQuote) this.quoteOpenedAtRow = this.row;
				this.inQuote = !this.inQuote;
				this.lineHasData = true;
			} else if (b === LF) {
				if (this.inQuote) {
					this.quotedNewlines = true;
					continue;
				}
				this.row++;
				if (!this.lineHasData) {
					out.push(buf.subarray(flushed, lineStart), this.emptyRow, buf.subarray(lineStart, i + 1));
					flushed = i + 1;
				}
				this.lineHasData = false;
				lineStart = i + 1;
			} else if (b !== CR) {
				this.lineHasData = true;
			}
		}
		// A line that is blank so far may still get data in the next chunk: hold it back.
		if (!this.lineHasData && !this.inQuote) {
			out.push(buf.subarray(flushed, lineStart));
			this.carry = Buffer.from(buf.subarray(lineStart));
		} else {
			out.push(buf.subarray(flushed));
		}
		done(null, out.length === 1 ? out[0] : Buffer.concat(out));
	}

	override _flush(done: TransformCallback): void {
		// Trailing carriage returns without a newline: nothing to import.
		done();
	}
}

/** Decodes UTF-16 to UTF-8 (the only encodings Postgres cannot read itself). */
export function utf16ToUtf8(encoding: 'utf-16le' | 'utf-16be'): Transform {
	const decoder = new TextDecoder(encoding);
	return new Transform({
		transform(chunk: Buffer, _encoding, done) {
			done(null, Buffer.from(decoder.decode(chunk, { stream: true }), 'utf8'));
		},
		flush(done) {
			done(null, Buffer.from(decoder.decode(), 'utf8'));
		}
	});
}

/** Passes bytes through, telling how many went by (for the progress bar). */
export function byteCounter(onBytes: (total: number) => void): Transform {
	let total = 0;
	return new Transform({
		transform(chunk: Buffer, _encoding, done) {
			total += chunk.length;
			onBytes(total);
			done(null, chunk);
		}
	});
}
