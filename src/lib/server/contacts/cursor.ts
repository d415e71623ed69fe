// Opaque keyset cursors: the last row's sort value and id, base64url JSON.
import { z } from 'zod';

/** `id` is a row's uuid, or an event's numeric id; `k` the source of a timeline entry other than an event. */
const cursorSchema = z.object({
	v: z.string().nullable(),
	id: z.union([z.uuid(), z.string().regex(/^\d{1,19}$/)]),
	k: z.literal('email').optional()
});
export type Cursor = z.infer<typeof cursorSchema>;

/** The cursor does not decode to a position (tampered with, or from another sort). */
export class InvalidCursorError extends Error {
	override readonly name = 'InvalidCursorError';
	constructor() {
		super('That page link is not valid any more; start from the first page.');
	}
}

export function encodeCursor(cursor: Cursor): string {
	return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeCursor(text: string): Cursor {
	try {
		return cursorSchema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
	} catch {
		throw new InvalidCursorError();
	}
}
