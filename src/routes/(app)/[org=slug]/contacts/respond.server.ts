// What the contacts, segments and imports routes share at their edge: domain
// errors of the three modules turned into form failures (field-level when the
// error names a field) or HTTP errors, and a text stream that keeps the
// request's RLS transaction open until the last chunk is sent.
import { error, type ActionFailure } from '@sveltejs/kit';
import { message, setError, type SuperValidated } from 'sveltekit-superforms';
import { ZodError } from 'zod';
import * as contacts from '$lib/server/contacts';
import { failFromDb, mapDbError, type Trx } from '$lib/server/db';
import * as imports from '$lib/server/imports';
import * as segments from '$lib/server/segments';
import type { FormMessage } from '$lib/forms';

type Form<T extends Record<string, unknown>> = SuperValidated<T, FormMessage>;
type Failure<T extends Record<string, unknown>> = ActionFailure<{ form: Form<T> }>;
type Status = 400 | 403 | 404 | 409 | 422;

/** A domain error as a status and a message a person can act on; null for anything else. */
export function describeError(
	e: unknown
): { status: Status; message: string; field?: string } | null {
	if (e instanceof contacts.ContactFieldError)
		return { status: 422, message: e.message, field: e.field };
	if (e instanceof contacts.ContactNotFoundError) return { status: 404, message: e.message };
	if (e instanceof contacts.ContactPermissionError) return { status: 403, message: e.message };
	if (e instanceof contacts.InvalidCursorError) return { status: 400, message: e.message };
	if (e instanceof segments.SegmentRuleError) return { status: 422, message: e.message };
	if (e instanceof segments.SegmentNotFoundError) return { status: 404, message: e.message };
	if (e instanceof imports.ImportFileError) return { status: 422, message: e.message };
	if (e instanceof imports.ImportMappingError) return { status: 422, message: e.message };
	if (e instanceof imports.ImportNotFoundError) return { status: 404, message: e.message };
	if (e instanceof imports.ImportStateError) return { status: 409, message: e.message };
	if (e instanceof ZodError)
		return {
			status: 400,
			message: e.issues[0]?.message ?? 'A value has the wrong format.',
			field: e.issues[0]?.path.join('.')
		};
	const db = mapDbError(e);
	return db ? { status: db.status, message: db.message, field: db.field } : null;
}

/**
 * Answers a form with a domain or database error; rethrows anything else.
 * `fields` maps an error's field (`custom.plan`, `name`) to the form's field
 * that shows it (`cf_plan`); unmapped fields show above the form.
 */
export function failWith<T extends Record<string, unknown>>(
	form: Form<T>,
	e: unknown,
	fields: Record<string, string> = {}
): Failure<T> {
	if (!(e instanceof Error) || mapDbError(e)) return failFromDb(form, e, {});
	const known = describeError(e);
	if (!known) throw e;
	const target = known.field ? (fields[known.field] ?? known.field) : undefined;
	if (target && target in form.data)
		return setError(form, target as '', known.message, { status: known.status });
	return message(
		form,
		{ tone: 'error', text: known.message },
		{ status: known.status }
	) as Failure<T>;
}

/** For endpoints: a domain error as an HTTP error (thrown); anything else is rethrown. */
export function throwHttp(e: unknown): never {
	const known = describeError(e);
	if (!known) throw e;
	error(known.status, known.message);
}

/**
 * Streams text produced inside a transaction (exports, error reports). The
 * first chunk is produced before this resolves, so a refusal (no permission,
 * not found) is still an ordinary error response; the transaction stays open
 * until the stream ends, and rolls back if the reader goes away.
 */
export function streamInTransaction(
	db: App.Locals['db'],
	make: (trx: Trx) => AsyncGenerator<string>
): Promise<ReadableStream<Uint8Array>> {
	return new Promise((resolve, reject) => {
		let settled = false;
		db(async (trx) => {
			const chunks = make(trx);
			const first = await chunks.next();
			const encoder = new TextEncoder();
			let finish!: (failure?: unknown) => void;
			const finished = new Promise<void>((done, fail) => {
				finish = (failure) => (failure === undefined ? done() : fail(asError(failure)));
			});
			settled = true;
			resolve(
				new ReadableStream<Uint8Array>({
					start(controller) {
						if (first.done) {
							controller.close();
							finish();
						} else controller.enqueue(encoder.encode(first.value));
					},
					async pull(controller) {
						try {
							const next = await chunks.next();
							if (next.done) {
								controller.close();
								finish();
							} else controller.enqueue(encoder.encode(next.value));
						} catch (failure) {
							controller.error(failure);
							finish(failure);
						}
					},
					async cancel() {
						await chunks.return(undefined);
						finish(new Error('The download was cancelled.'));
					}
				})
			);
			await finished;
		}).catch((failure: unknown) => {
			if (!settled) reject(asError(failure));
			else console.error('A streamed download stopped:', failure);
		});
	});
}

const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));

/** Headers of a file download. */
export function download(fileName: string, type: string): HeadersInit {
	return {
		'content-type': type,
		'content-disposition': `attachment; filename="${fileName.replace(/[^\w.-]+/g, '-')}"`,
		'cache-control': 'no-store'
	};
}
