// Bulk import of parcel tracking numbers for a campaign's product seeding,
// from a CSV a shipping tool exports: one line per parcel with the
// influencer's name, the product's SKU, the tracking number and the carrier.
// `preview` reads and checks every line against the campaign (nothing
// written) and says, per line, what it will do or why it cannot; `apply`
// writes only when every line is good, all in the request's transaction, so a
// file is either imported whole or not at all. Each good line marks the
// product shipped (from chosen or ordered) with its tracking number.
// Parsed with csv-parse, as contact imports do.
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import type { Trx } from '../db/rls.ts';
import { CollaborationInputError } from './errors.ts';

/** A file larger than this is refused before parsing (a campaign ships thousands of parcels at most). */
export const MAX_BYTES = 1_000_000;
export const MAX_LINES = 5_000;
export const COLUMNS = ['influencer', 'sku', 'tracking_number', 'carrier'] as const;

export type ImportLine = {
	/** The line's number in the file (the header is line 1). */
	line: number;
	influencer: string;
	sku: string;
	trackingNumber: string;
	carrier: string;
	/** The product line it updates, when found. */
	seedingId: string | null;
	/** Why the line cannot be imported; null when it is good. */
	error: string | null;
};

export type ImportPreview = { lines: ImportLine[]; good: number; bad: number };

type Candidate = {
	seeding_id: string;
	influencer_name: string;
	sku: string;
	status: 'chosen' | 'ordered' | 'shipped' | 'delivered';
	collaboration_status: string;
};

const CONTROL = /\p{Cc}/u;

function rowsOf(text: string): Array<{ record: string[]; line: number }> {
	if (Buffer.byteLength(text) > MAX_BYTES)
		throw new CollaborationInputError(
			'file',
			'The file is larger than 1 MB; split it in parts.',
			422
		);
	if (!text.trim()) throw new CollaborationInputError('file', 'The file is empty.', 422);
	try {
		const parsed = parse(text, {
			bom: true,
			skip_empty_lines: true,
			relax_column_count: true,
			trim: true,
			info: true
		}) as unknown as Array<{ record: string[]; info: { lines: number } }>;
		return parsed.map((p) => ({ record: p.record, line: p.info.lines }));
	} catch (e) {
		throw new CollaborationInputError(
			'file',
			`This is not a CSV file we can read (${(e as Error).message.split('\n')[0]}).`,
			422
		);
	}
}

/** Reads and checks a tracking-number CSV against a campaign's product seeding. Writes nothing. */
export async function preview(
	trx: Trx,
	orgId: string,
	campaignId: string,
	text: string
): Promise<ImportPreview> {
	const rows = rowsOf(text);
	const header = rows[0]!.record.map((h) => h.toLowerCase().replace(/[\s-]+/g, '_'));
	const missing = COLUMNS.filter((c) => !header.includes(c));
	if (missing.length)
		throw new CollaborationInputError(
			'file',
			`The first line must name the columns ${COLUMNS.join(', ')}; ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing.`,
			422
		);
	if (rows.length - 1 > MAX_LINES)
		throw new CollaborationInputError('file', `At most ${MAX_LINES} parcels per file.`, 422);
	const at = (name: (typeof COLUMNS)[number]) => header.indexOf(name);

	const { rows: candidates } = await sql<Candidate>`
		select s.id as seeding_id, i.name as influencer_name, p.sku, s.status, c.status as collaboration_status
		  from public.collaboration_products s
		  join public.collaborations c on c.org_id = s.org_id and c.id = s.collaboration_id
		  join public.influencers i on i.id = c.influencer_id
		  join public.products p on p.org_id = s.org_id and p.id = s.product_id
		 where s.org_id = ${orgId} and c.campaign_id = ${campaignId}`.execute(trx);
	const influencers = new Set(candidates.map((c) => c.influencer_name.toLowerCase()));
	const byKey = new Map<string, Candidate[]>();
	for (const c of candidates) {
		const key = `${c.influencer_name.toLowerCase()}\u0000${c.sku.toLowerCase()}`;
		byKey.set(key, [...(byKey.get(key) ?? []), c]);
	}

	const seen = new Map<string, number>();
	const lines: ImportLine[] = rows.slice(1).map(({ record, line }) => {
		const cell = (name: (typeof COLUMNS)[number]) => record[at(name)] ?? '';
		const out: ImportLine = {
			line,
			influencer: cell('influencer'),
			sku: cell('sku'),
			trackingNumber: cell('tracking_number'),
			carrier: cell('carrier'),
			seedingId: null,
			error: null
		};
		out.error = problemOf(out, record.length, header.length, influencers, byKey, seen);
		return out;
	});
	const bad = lines.filter((l) => l.error).length;
	return { lines, good: lines.length - bad, bad };
}

function problemOf(
	l: ImportLine,
	fields: number,
	expected: number,
	influencers: Set<string>,
	byKey: Map<string, Candidate[]>,
	seen: Map<string, number>
): string | null {
	if (fields !== expected) return `This line has ${fields} columns; the header has ${expected}.`;
	if (!l.influencer) return 'The influencer is missing.';
	if (!l.sku) return 'The SKU is missing.';
	if (!l.trackingNumber) return 'The tracking number is missing.';
	if (l.trackingNumber.length > 100) return 'The tracking number is longer than 100 characters.';
	if (CONTROL.test(l.trackingNumber) || CONTROL.test(l.carrier))
		return 'The line contains characters that cannot be printed.';
	if (!l.carrier) return 'The carrier is missing.';
	if (l.carrier.length > 60) return 'The carrier is longer than 60 characters.';
	if (!influencers.has(l.influencer.toLowerCase()))
		return `“${l.influencer}” has no products to receive on this campaign.`;
	const matches = byKey.get(`${l.influencer.toLowerCase()}\u0000${l.sku.toLowerCase()}`) ?? [];
	if (matches.length === 0)
		return `No product with SKU “${l.sku}” is being sent to ${l.influencer}.`;
	if (matches.length > 1)
		return `More than one influencer on this campaign is called “${l.influencer}”; set this one by hand.`;
	const target = matches[0]!;
	l.seedingId = target.seeding_id;
	const earlier = seen.get(target.seeding_id);
	if (earlier !== undefined) return `The same parcel is already on line ${earlier}.`;
	seen.set(target.seeding_id, l.line);
	if (target.status === 'delivered') return 'This product was already delivered.';
	if (target.collaboration_status !== 'accepted' && target.collaboration_status !== 'completed')
		return `${l.influencer} has not accepted the collaboration yet.`;
	return null;
}

/**
 * Imports the file when every line is good: each product is marked shipped
 * with its tracking number and carrier. With any bad line nothing is written
 * and the preview (with every line's reason) is returned instead.
 */
export async function apply(
	trx: Trx,
	orgId: string,
	campaignId: string,
	text: string
): Promise<{ imported: number; preview: ImportPreview }> {
	const checked = await preview(trx, orgId, campaignId, text);
	if (checked.bad > 0 || checked.lines.length === 0) return { imported: 0, preview: checked };
	for (const l of checked.lines) {
		await sql`update public.collaboration_products
		             set tracking_number = ${l.trackingNumber}, carrier = ${l.carrier},
		                 status = greatest(status, 'shipped'::public.seeding_status)
		           where org_id = ${orgId} and id = ${l.seedingId}`.execute(trx);
	}
	return { imported: checked.lines.length, preview: checked };
}
