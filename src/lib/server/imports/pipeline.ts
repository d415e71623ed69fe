// The import run, on the worker. Set-based from end to end:
//   1. COPY the file into a temp table of text columns (Postgres parses the
//      CSV; JS only transcodes UTF-16 and fills blank lines);
//   2. one pass converts and checks every mapped cell (problems per row);
//   3. bad rows go to the error report; unless the user chose to skip them,
//      the import stops there with nothing written;
//   4. rows sharing an email are merged (later non-empty values win);
//   5. batches of 50,000 are merged by email (case-insensitive) — file values
//      fill or replace, empty cells never blank existing data, and an import
//      never re-subscribes an unsubscribed or bounced contact; cancellation is
//      checked between batches;
//   6. the batch's tags (chosen in the options, and a Tags column's, created
//      when missing) are applied, the outcome recorded, and one
//      contacts.imported event stands for the rows (no per-contact events:
//      automations follow imported people through segment.entered).
// Everything runs in the caller's one transaction: a cancelled or crashed
// import leaves nothing behind. Progress goes through `report`, which the
// caller commits on another connection so the UI sees it while we work.
import type { Readable, Transform } from 'node:stream';
import { ImportCancelledError, ImportFileError } from './errors.ts';
import type { ImportFileStore } from './files.ts';
import { checkMapping, type Target } from './mapping.ts';
import { importOptionsSchema, type TagSeparator } from './schemas.ts';
import type { Encoding, Format } from './sniff.ts';
import { BlankLineFiller, byteCounter, utf16ToUtf8 } from './streams.ts';
import type { FieldDefinition } from '../contacts/fields.ts';
import { NAME_PARTICLES } from '../../full-name.ts';

/** The worker's connection, inside an open transaction that may write everything. */
export type ImportConnection = {
	query<R = Record<string, unknown>>(
		text: string,
		values?: unknown[]
	): Promise<{ rows: R[]; rowCount: number | null }>;
	/** Runs `COPY … FROM STDIN` fed through `stages` (a source, then transforms); resolves with the rows copied. */
	copyFrom(text: string, stages: [Readable, ...Transform[]]): Promise<number>;
};

export type ProgressPatch = {
	status?: 'running';
	phase?: 'reading' | 'validating' | 'merging' | 'finishing';
	progress?: number;
	total_rows?: number;
	processed_rows?: number;
	started_at?: Date;
};

/** Writes progress where the UI can see it (committed at once, elsewhere). */
export type Reporter = (patch: ProgressPatch) => Promise<void>;

export type ImportOutcome =
	| { status: 'skipped' }
	| { status: 'failed'; failedRows: number; error: string }
	| {
			status: 'completed';
			totalRows: number;
			insertedRows: number;
			updatedRows: number;
			mergedRows: number;
			failedRows: number;
	  };

export const BATCH_ROWS = 50_000;

type ImportRow = {
	org_id: string;
	file_ref: string;
	file_size: string;
	format: Format;
	encoding: Encoding;
	headers: string[];
	mapping: Target[];
	options: unknown;
	status: string;
	cancel_requested_at: Date | null;
};

/** Builds SQL text with numbered parameters; identifiers are only ever c<n>/v<n>/x<n>. */
class Params {
	readonly values: unknown[] = [];
	add(value: unknown): string {
		this.values.push(value);
		return `$${this.values.length}`;
	}
}

const EMAIL_RE = `'^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$'`;
const PHONE_RE = `'^\\+?[0-9 ().-]{5,25}$'`;
const NUMBER_RE = `'^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]{1,3})?$'`;

type Column = { index: number; target: Exclude<Target, null>; field?: FieldDefinition };

/** A Tags cell is split on its separator, with the spaces around it. */
const TAG_SPLIT: Record<TagSeparator, string> = {
	';': '\\s*;\\s*',
	',': '\\s*,\\s*',
	'|': '\\s*\\|\\s*'
};

/** At most this many tags in one cell (a cell is one person's tags, not a tag list). */
const MAX_TAGS_PER_CELL = 100;

/**
 * A lateral subquery splitting a full name (v<n>) into name_first and
 * name_last: one word is a first name; otherwise the last word is the last
 * name, with the particles just before it ("van", "de la"), and the words
 * before that the first name. Never the first word: "Van Morrison" is Van /
 * Morrison. The same rule as splitFullName (src/lib/full-name.ts).
 */
function fullNameSplit(column: Column, p: Params): string {
	const particles = p.add(NAME_PARTICLES);
	return `cross join lateral (
		select nullif(case when n = 1 then w[1] else array_to_string(w[1:k - 1], ' ') end, '') as name_first,
		       nullif(case when n > 1 then array_to_string(w[k:n], ' ') end, '') as name_last
		  from (select w, n, coalesce((select min(i) from generate_series(2, n - 1) i
		                                where not exists (select 1 from generate_series(i, n - 1) j
		                                                   where lower(w[j]) <> all (${particles}::text[]))), n) as k
		          from (select w, cardinality(w) as n
		                  from (select regexp_split_to_array(t.v${column.index}, '\\s+') as w) a) b) c) fn`;
}

/** The converted value (x<n>) of a custom column, as jsonb or null when it does not convert. */
function customValue(column: Column, p: Params): string {
	const v = `v${column.index}`;
	const field = column.field!;
	switch (field.type) {
		case 'text':
			return `to_jsonb(${v})`;
		case 'number':
			return `case when char_length(${v}) <= 40 and ${v} ~ ${NUMBER_RE} then to_jsonb(${v}::numeric) end`;
		case 'boolean':
			return `case when lower(${v}) in ('true', 'yes', 'y', '1', 'on') then 'true'::jsonb
				when lower(${v}) in ('false', 'no', 'n', '0', 'off') then 'false'::jsonb end`;
		case 'date':
			return `case when ${v} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' and pg_input_is_valid(${v}, 'date') then to_jsonb(${v}) end`;
		case 'select':
			// A CASE, not a lookup per row: options are few, rows are a million.
			return `case lower(${v}) ${field.options
				.map((o) => `when ${p.add(o.toLowerCase())}::text then to_jsonb(${p.add(o)}::text)`)
				.join(' ')} end`;
		case 'multi_select': {
			const options = p.add(field.options);
			return `(select case when bool_and(m.o is not null) then jsonb_agg(distinct m.o) end
				from regexp_split_to_table(${v}, '\\s*[;|,]\\s*') part
				left join lateral (select o from unnest(${options}::text[]) o where lower(o) = lower(part) limit 1) m on true
				where part <> '')`;
		}
	}
}

const REASONS: Record<string, string> = {
	text: 'is longer than 2000 characters',
	number: 'is not a number',
	boolean: 'is not yes/no or true/false',
	date: 'is not a date (use YYYY-MM-DD)',
	select: "is not one of the field's options",
	multi_select: 'has values that are not options of the field'
};

/** A problem entry for column `index` when `condition` holds (reasons are fixed text, quoted here). */
function problem(index: number, condition: string, reason: string): string {
	const quoted = `'${reason.replace(/'/g, "''")}'`;
	return `case when ${condition} then jsonb_build_object('c', ${index}, 'r', ${quoted}, 'v', left(v${index}, 200)) end`;
}

/**
 * A cell's value: trimmed, null when empty, and with the apostrophe the export
 * puts before a leading =, +, -, @, tab or return (to keep spreadsheets from
 * running it as a formula) taken off again, so "'+1 555…" is "+1 555…".
 */
function cellValue(index: number): string {
	const c = `r.c${index}`;
	return `nullif(btrim(case when left(${c}, 1) = '''' then regexp_replace(${c}, '^''(''*[-=+@\\t\\r])', '\\1') else ${c} end), '')`;
}

/**
 * The statement that turns raw rows into checked, typed rows:
 * import_rows(rn, blank, email, phone, first_name, last_name, company, status, custom, tags, problems).
 */
function stagingSql(
	columns: Column[],
	width: number,
	tagSeparator: TagSeparator,
	p: Params
): string {
	const raw = Array.from({ length: width }, (_, i) => `r.c${i + 1}`);
	const blank = raw.map((c) => `coalesce(btrim(${c}), '') = ''`).join(' and ');
	const values = columns.map((c) => `${cellValue(c.index)} as v${c.index}`);
	const byTarget = new Map(columns.map((c) => [c.target, c]));
	const standard = (target: string) => {
		const c = byTarget.get(target as Target & string);
		return c ? `v${c.index}` : 'null::text';
	};
	const customs = columns.filter((c) => c.field);
	const converted = customs.map((c) => `${customValue(c, p)} as x${c.index}`);
	const fullName = byTarget.get('full_name');
	const tagsColumn = byTarget.get('tags');
	if (tagsColumn)
		converted.push(
			`array_remove(regexp_split_to_array(t.v${tagsColumn.index}, ${p.add(TAG_SPLIT[tagSeparator])}), '') as tags`
		);
	if (fullName) converted.push('fn.name_first', 'fn.name_last');
	const problems: string[] = [];
	for (const c of columns) {
		const v = `v${c.index}`;
		switch (c.target) {
			case 'email':
				problems.push(
					problem(
						c.index,
						`${v} is not null and (char_length(${v}) > 254 or ${v} !~ ${EMAIL_RE})`,
						'is not a valid email address'
					)
				);
				break;
			case 'phone':
				problems.push(
					problem(
						c.index,
						`${v} is not null and ${v} !~ ${PHONE_RE}`,
						'is not a valid phone number'
					)
				);
				break;
			case 'first_name':
			case 'last_name':
				problems.push(problem(c.index, `char_length(${v}) > 100`, 'is longer than 100 characters'));
				break;
			case 'company':
				problems.push(problem(c.index, `char_length(${v}) > 200`, 'is longer than 200 characters'));
				break;
			case 'status':
				problems.push(
					problem(
						c.index,
						`lower(${v}) not in ('subscribed', 'unsubscribed', 'bounced')`,
						'must be subscribed, unsubscribed or bounced'
					)
				);
				break;
			case 'full_name': {
				// Only the parts the row uses: a mapped first or last name column wins.
				const first = byTarget.get('first_name');
				const last = byTarget.get('last_name');
				problems.push(
					problem(
						c.index,
						`(${first ? `v${first.index} is null and ` : ''}char_length(name_first) > 100)
						 or (${last ? `v${last.index} is null and ` : ''}char_length(name_last) > 100)`,
						'has a first or last name longer than 100 characters'
					)
				);
				break;
			}
			case 'tags':
				problems.push(
					problem(
						c.index,
						`exists (select 1 from unnest(tags) g where char_length(g) > 50)`,
						'has a tag longer than 50 characters'
					),
					problem(
						c.index,
						`cardinality(tags) > ${MAX_TAGS_PER_CELL}`,
						`has more than ${MAX_TAGS_PER_CELL} tags`
					)
				);
				break;
			default: {
				const field = c.field!;
				if (field.type === 'text')
					problems.push(problem(c.index, `char_length(${v}) > 2000`, REASONS.text!));
				else
					problems.push(
						problem(c.index, `${v} is not null and x${c.index} is null`, REASONS[field.type]!)
					);
				if (field.required) problems.push(problem(c.index, `${v} is null`, 'is required'));
			}
		}
	}
	const email = standard('email');
	const phone = standard('phone');
	problems.push(
		`case when ${email} is null and ${phone} is null then jsonb_build_object('c', 0, 'r', 'needs an email address or a phone number', 'v', null) end`
	);
	// jsonb_build_object takes at most 100 arguments: 40 fields per call.
	const pairs = customs.map((c) => `${p.add(c.field!.key)}::text, x${c.index}`);
	const objects: string[] = [];
	for (let i = 0; i < pairs.length; i += 40)
		objects.push(`jsonb_build_object(${pairs.slice(i, i + 40).join(', ')})`);
	const custom = objects.length ? `jsonb_strip_nulls(${objects.join(' || ')})` : `'{}'::jsonb`;
	const status = byTarget.has('status') ? `lower(${standard('status')})` : 'null::text';
	// A mapped first (last) name column wins over the full name's part, row by row.
	const name = (target: 'first_name' | 'last_name', part: string) =>
		fullName ? `coalesce(${standard(target)}, ${part})` : standard(target);
	// `offset 0` keeps each level a subquery of its own: flattened, every use of
	// v<n> and x<n> (a value is checked, converted and stored) would compute
	// its trim and conversion again (this halved the statement at 200k rows).
	return `create temp table import_rows on commit drop as
		select s.rn, s.blank, ${email} as email, lower(${email}) as email_key, ${phone} as phone,
		       ${name('first_name', 'name_first')} as first_name, ${name('last_name', 'name_last')} as last_name,
		       ${standard('company')} as company, ${status} as status, ${custom} as custom,
		       ${tagsColumn ? `coalesce(tags, '{}')` : `'{}'::text[]`} as tags,
		       case when s.blank then '{}'::jsonb[] else array_remove(array[${problems.join(', ')}]::jsonb[], null) end as problems
		  from (select t.*${converted.length ? ', ' + converted.join(', ') : ''}
		          from (select r.rn, ${blank} as blank${values.length ? ', ' + values.join(', ') : ''}
		                  from import_raw r offset 0) t ${fullName ? fullNameSplit(fullName, p) : ''} offset 0) s`;
}

/** Turns a COPY error into a message naming the row (or the line, once a value spanned lines). */
function copyError(
	error: unknown,
	headers: string[],
	encoding: Encoding,
	filler: BlankLineFiller
): ImportFileError {
	const e = error as { message?: string; where?: string; code?: string };
	const line = Number(/line (\d+)/.exec(e.where ?? '')?.[1]) || undefined;
	const row = line === undefined ? undefined : `${filler.quotedNewlines ? 'Line' : 'Row'} ${line}`;
	const message = e.message ?? String(error);
	const missing = /missing data for column "c(\d+)"/.exec(message);
	if (missing) {
		const n = Number(missing[1]);
		return new ImportFileError(
			`has fewer columns than the header (column ${n}, "${headers[n - 1] ?? ''}", is missing).`,
			row
		);
	}
	if (/extra data after last expected column/.test(message))
		return new ImportFileError(`has more columns than the header (${headers.length}).`, row);
	if (/unterminated CSV quoted field/.test(message))
		return new ImportFileError(
			'a quoted value is never closed (a stray " character?).',
			filler.inQuote ? `Row ${filler.quoteOpenedAtRow}` : row
		);
	if (e.code === '22021' || /invalid byte sequence/.test(message))
		return new ImportFileError(
			`is not valid ${encoding === 'windows-1252' ? 'Windows-1252' : 'UTF-8'} text; choose the file's encoding and start again.`,
			row
		);
	return new ImportFileError(
		message.replace(/^[a-z]/, (c) => c.toUpperCase()),
		row
	);
}

async function cancelled(conn: ImportConnection, importId: string): Promise<boolean> {
	const { rows } = await conn.query<{ cancelled: boolean }>(
		'select cancel_requested_at is not null as cancelled from public.contact_imports where id = $1',
		[importId]
	);
	return rows[0]?.cancelled ?? true;
}

/**
 * Runs one import inside the caller's transaction. Returns 'completed' or
 * 'failed' (rows with errors, nothing merged) for the caller to commit; throws
 * ImportFileError / ImportMappingError (a broken file or a mapping that no
 * longer fits) and ImportCancelledError, after which the caller rolls back.
 */
export async function runImport(
	conn: ImportConnection,
	store: ImportFileStore,
	importId: string,
	report: Reporter
): Promise<ImportOutcome> {
	const { rows } = await conn.query<ImportRow>(
		`select org_id, file_ref, file_size, format, encoding, headers, mapping, options, status, cancel_requested_at
		   from public.contact_imports where id = $1`,
		[importId]
	);
	const job = rows[0];
	if (!job || !['queued', 'running'].includes(job.status)) return { status: 'skipped' };
	if (job.cancel_requested_at) throw new ImportCancelledError();
	const options = importOptionsSchema.parse(job.options);
	const { rows: fieldRows } = await conn.query<FieldDefinition>(
		`select id, key, label, type, options, required, indexed, position
		   from public.contact_fields where org_id = $1`,
		[job.org_id]
	);
	const fields = new Map(fieldRows.map((f) => [f.key, f]));
	checkMapping(job.mapping, job.headers, fields);
	// One contacts.imported event stands for the rows (private.contact_events_wanted).
	await conn.query(`select set_config('growthdesk.importing', 'on', true)`);
	await report({ status: 'running', phase: 'reading', progress: 0, started_at: new Date() });

	// 1. COPY into staging.
	const width = job.headers.length;
	const names = Array.from({ length: width }, (_, i) => `c${i + 1}`);
	await conn.query(
		`create temp table import_raw (${names.map((n) => `${n} text`).join(', ')},
			rn integer generated always as identity) on commit drop`
	);
	const delimiter = job.format === 'tsv' ? '\t' : ',';
	const fileSize = Number(job.file_size) || 1;
	let lastReport = 0;
	const stages: [Readable, ...Transform[]] = [
		store.read(job.file_ref),
		byteCounter((bytes) => {
			const now = Date.now();
			if (now - lastReport < 500) return;
			lastReport = now;
			report({ progress: Math.min(bytes / fileSize, 1) * 0.3 }).catch(() => {});
		})
	];
	if (job.encoding === 'utf-16le' || job.encoding === 'utf-16be')
		stages.push(utf16ToUtf8(job.encoding));
	const filler = new BlankLineFiller(delimiter, width);
	stages.push(filler);
	const copySql = `copy import_raw (${names.join(', ')}) from stdin with (format csv, header true,
		delimiter ${delimiter === '\t' ? "E'\\t'" : "','"}, encoding '${job.encoding === 'windows-1252' ? 'WIN1252' : 'UTF8'}')`;
	let copied: number;
	try {
		copied = await conn.copyFrom(copySql, stages);
	} catch (error) {
		throw copyError(error, job.headers, job.encoding, filler);
	}
	if (await cancelled(conn, importId)) throw new ImportCancelledError();

	// 2. Convert and check every mapped cell, in one pass.
	await report({ phase: 'validating', progress: 0.3 });
	const columns: Column[] = job.mapping.flatMap((target, i) =>
		target === null
			? []
			: [
					{
						index: i + 1,
						target,
						field: target.startsWith('custom.') ? fields.get(target.slice(7)) : undefined
					}
				]
	);
	const p = new Params();
	await conn.query(stagingSql(columns, width, options.tagSeparator, p), p.values);
	const { rows: counts } = await conn.query<{ total: number; bad: number }>(
		`select count(*) filter (where not blank)::integer as total,
		        count(*) filter (where cardinality(problems) > 0)::integer as bad from import_rows`
	);
	const { total, bad } = counts[0]!;
	if (copied === 0 || total === 0)
		throw new ImportFileError('The file has a header but no rows to import.');
	await report({ total_rows: total, progress: 0.35 });

	// 3. The error report.
	await conn.query('delete from public.contact_import_errors where import_id = $1', [importId]);
	if (bad > 0) {
		await conn.query(
			`insert into public.contact_import_errors (org_id, import_id, row_number, column_name, reason, value)
			 select $1, $2, s.rn + 1, coalesce(($3::text[])[(e ->> 'c')::integer], ''), e ->> 'r', e ->> 'v'
			   from import_rows s cross join lateral unnest(s.problems) e
			  where cardinality(s.problems) > 0
			  order by s.rn, (e ->> 'c')::integer`,
			[job.org_id, importId, job.headers]
		);
		if (!options.skipInvalidRows)
			return {
				status: 'failed',
				failedRows: bad,
				error: `${bad} of ${total} rows have errors, so nothing was imported. Download the error report, fix the file or the mapping, or choose to skip invalid rows.`
			};
	}

	// 4. Merge rows of the same file that share an email. New contacts' ids are
	//    drawn here, so a Tags column can reach the contacts it made.
	await conn.query(
		`create temp table import_ready on commit drop as
		 select rn, email, email_key, phone, first_name, last_name, company, status, custom, tags,
		        gen_random_uuid() as id
		   from import_rows where not blank and cardinality(problems) = 0`
	);
	await conn.query(
		`create temp table import_dups on commit drop as
		 select email_key from import_ready where email_key is not null group by email_key having count(*) > 1`
	);
	const { rows: dupRows } = await conn.query<{ n: number }>(
		'select count(*)::integer as n from import_dups'
	);
	let finalTable = 'import_ready';
	if (dupRows[0]!.n > 0) {
		await conn.query('create index on import_ready (email_key)');
		await conn.query(
			`create temp table import_final on commit drop as
			 select r.* from import_ready r
			  where r.email_key is null or not exists (select 1 from import_dups d where d.email_key = r.email_key)
			 union all
			 select min(r.rn), (array_agg(r.email order by r.rn desc))[1], r.email_key,
			        (array_agg(r.phone order by r.rn desc) filter (where r.phone is not null))[1],
			        (array_agg(r.first_name order by r.rn desc) filter (where r.first_name is not null))[1],
			        (array_agg(r.last_name order by r.rn desc) filter (where r.last_name is not null))[1],
			        (array_agg(r.company order by r.rn desc) filter (where r.company is not null))[1],
			        (array_agg(r.status order by r.rn desc) filter (where r.status is not null))[1],
			        (select coalesce(jsonb_object_agg(x.key, x.value), '{}'::jsonb)
			           from (select distinct on (e.key) e.key, e.value
			                   from import_ready r2 cross join lateral jsonb_each(r2.custom) e
			                  where r2.email_key = r.email_key order by e.key, r2.rn desc) x),
			        -- Tags add up: every row's tags, not only the last row's.
			        (select coalesce(array_agg(distinct g), '{}') from import_ready r2 cross join lateral unnest(r2.tags) g
			          where r2.email_key = r.email_key),
			        gen_random_uuid()
			   from import_ready r join import_dups d on d.email_key = r.email_key
			  group by r.email_key`
		);
		finalTable = 'import_final';
	}
	const { rows: finalRows } = await conn.query<{ n: number; max: number | null }>(
		`select count(*)::integer as n, max(rn) as max from ${finalTable}`
	);
	const mergedRows = total - (bad > 0 ? bad : 0) - finalRows[0]!.n;
	await conn.query(`create index on ${finalTable} (rn)`);
	await conn.query(`analyze ${finalTable}`);

	// 5. Write in batches: existing contacts (matched once, on the unique
	//    lower(email) index) are updated, the others inserted — two plain DML
	//    statements, cheaper than INSERT … ON CONFLICT's speculative insertion.
	await conn.query(
		`create temp table import_existing on commit drop as
		 select f.rn, c.id from ${finalTable} f
		   join public.contacts c on c.org_id = $1 and lower(c.email::text) = f.email_key
		  where f.email_key is not null`,
		[job.org_id]
	);
	await conn.query('create index on import_existing (rn)');
	await conn.query('analyze import_existing');
	await conn.query('create temp table import_touched (id uuid, inserted boolean) on commit drop');
	await report({ phase: 'merging', progress: 0.4 });
	let inserted = 0;
	let updated = 0;
	const maxRn = finalRows[0]!.max ?? 0;
	for (let low = 0; low < maxRn; low += BATCH_ROWS) {
		const { rows: batch } = await conn.query<{ inserted: number; updated: number }>(
			`with updated as (
			   update public.contacts c set
			     phone = coalesce(f.phone, c.phone),
			     first_name = coalesce(f.first_name, c.first_name),
			     last_name = coalesce(f.last_name, c.last_name),
			     company = coalesce(f.company, c.company),
			     -- An import never re-subscribes anyone.
			     status = case when f.status is null or f.status = 'subscribed' then c.status
			                   else f.status::public.contact_status end,
			     custom = c.custom || f.custom
			     from import_existing x join ${finalTable} f on f.rn = x.rn
			    where c.id = x.id and x.rn > $2 and x.rn <= $3 and $4::boolean
			   returning c.id
			 ), inserted as (
			   insert into public.contacts (id, org_id, email, phone, first_name, last_name, company, source, status, custom)
			   select f.id, $1, f.email, f.phone, f.first_name, f.last_name, f.company, 'import',
			          coalesce(f.status, 'subscribed')::public.contact_status, f.custom
			     from ${finalTable} f
			    where f.rn > $2 and f.rn <= $3 and not exists (select 1 from import_existing x where x.rn = f.rn)
			   returning id
			 ), kept as (
			   insert into import_touched (id, inserted)
			   select id, false from updated union all select id, true from inserted
			   returning inserted
			 )
			 select count(*) filter (where inserted)::integer as inserted,
			        count(*) filter (where not inserted)::integer as updated from kept`,
			[job.org_id, low, low + BATCH_ROWS, options.updateExisting]
		);
		inserted += batch[0]!.inserted;
		updated += batch[0]!.updated;
		if (await cancelled(conn, importId)) throw new ImportCancelledError();
		const done = Math.min(low + BATCH_ROWS, maxRn);
		await report({ processed_rows: inserted + updated, progress: 0.4 + 0.55 * (done / maxRn) });
	}

	// 6. Tags for the whole batch, new and existing contacts alike (existing
	//    ones only when the import updates them: skipped means untouched).
	await report({ phase: 'finishing', progress: 0.95 });
	if (columns.some((c) => c.target === 'tags'))
		await applyTagColumn(conn, job.org_id, finalTable, options.updateExisting);
	if (options.tagIds.length)
		await conn.query(
			`insert into public.contact_tags (org_id, contact_id, tag_id)
			 select $1, t.id, g.id from import_touched t cross join unnest($2::uuid[]) g (id)
			 on conflict do nothing`,
			[job.org_id, options.tagIds]
		);
	await conn.query(
		`insert into public.events (org_id, type, subject_type, subject_id, payload)
		 values ($1, 'contacts.imported', 'import', $2, jsonb_build_object('inserted', $3::integer, 'updated', $4::integer))`,
		[job.org_id, importId, inserted, updated]
	);
	return {
		status: 'completed',
		totalRows: total,
		insertedRows: inserted,
		updatedRows: updated,
		mergedRows,
		failedRows: bad
	};
}

/**
 * A Tags column: the tags named in the file are created when the organization
 * has none of that name (matched case-insensitively, as ensureTags does; the
 * first spelling met wins) and put on the contacts the import wrote.
 */
async function applyTagColumn(
	conn: ImportConnection,
	orgId: string,
	finalTable: string,
	updateExisting: boolean
): Promise<void> {
	await conn.query(
		`create temp table import_tag_names on commit drop as
		 select coalesce(x.id, f.id) as contact_id, g.name, lower(g.name) as key, f.rn
		   from ${finalTable} f
		   left join import_existing x on x.rn = f.rn
		   cross join lateral unnest(f.tags) g (name)
		  where cardinality(f.tags) > 0 and (x.rn is null or $1::boolean)`,
		[updateExisting]
	);
	await conn.query(
		`insert into public.tags (org_id, name)
		 select distinct on (key) $1, name from import_tag_names
		  where not exists (select 1 from public.tags t where t.org_id = $1 and lower(t.name::text) = key)
		  order by key, rn, name
		 on conflict do nothing`,
		[orgId]
	);
	await conn.query(
		`insert into public.contact_tags (org_id, contact_id, tag_id)
		 select distinct $1::uuid, n.contact_id, t.id
		   from import_tag_names n
		   join (select id, lower(name::text) as key from public.tags where org_id = $1) t on t.key = n.key
		 on conflict do nothing`,
		[orgId]
	);
}

/** Records a committed outcome on the import row (in the same transaction as the work). */
export async function recordOutcome(
	conn: ImportConnection,
	importId: string,
	outcome: ImportOutcome
): Promise<void> {
	if (outcome.status === 'skipped') return;
	if (outcome.status === 'failed') {
		await conn.query(
			`update public.contact_imports set status = 'failed', phase = null, failed_rows = $2, error = $3,
			        finished_at = now() where id = $1`,
			[importId, outcome.failedRows, outcome.error]
		);
		return;
	}
	await conn.query(
		`update public.contact_imports set status = 'completed', phase = null, progress = 1,
		        total_rows = $2, processed_rows = $2, inserted_rows = $3, updated_rows = $4, merged_rows = $5,
		        failed_rows = $6, error = null, finished_at = now() where id = $1`,
		[
			importId,
			outcome.totalRows,
			outcome.insertedRows,
			outcome.updatedRows,
			outcome.mergedRows,
			outcome.failedRows
		]
	);
}
