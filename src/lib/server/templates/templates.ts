// Message templates: the library (ready-made ones and the organization's own),
// creating from blank or from another template, saving with every check of
// src/lib/templates (an unknown merge tag, a broken link or a marketing email
// without an unsubscribe link is refused at its block), and deleting.
// RLS decides who may write (templates.write); ready-made rows are refused here
// first with words, and by the database regardless.
import { z } from 'zod';
import type { Trx } from '../db/rls.ts';
import { listFields } from '../contacts/fields.ts';
import {
	emailDocument,
	validateEmail,
	validateText,
	type EmailDocument,
	type EmailDocumentInput,
	type TemplateIssue
} from '../../templates/index.ts';
import { TemplateInvalidError, TemplateNotFoundError, TemplateReadOnlyError } from './errors.ts';
import {
	createInput,
	saveInput,
	type CreateInput,
	type LibraryFilter,
	type SaveInput,
	type TemplateChannel
} from './schemas.ts';

export type TemplateSummary = {
	id: string;
	name: string;
	channel: TemplateChannel;
	category: string | null;
	description: string;
	subject: string | null;
	folderId: string | null;
	updatedAt: string;
	readyMade: boolean;
};

export type Template = TemplateSummary & {
	orgId: string | null;
	purpose: 'marketing' | 'transactional';
	preheader: string;
	document: EmailDocument | null;
	body: string | null;
	basedOn: string | null;
};

const summaryColumns = [
	'id',
	'org_id',
	'name',
	'channel',
	'category',
	'description',
	'subject',
	'folder_id',
	'updated_at'
] as const;

type SummaryRow = {
	id: string;
	org_id: string | null;
	name: string;
	channel: TemplateChannel;
	category: string | null;
	description: string;
	subject: string | null;
	folder_id: string | null;
	updated_at: string;
};

function summary(r: SummaryRow): TemplateSummary {
	return {
		id: r.id,
		name: r.name,
		channel: r.channel,
		category: r.category,
		description: r.description,
		subject: r.subject,
		folderId: r.folder_id,
		updatedAt: r.updated_at,
		readyMade: r.org_id === null
	};
}

/** The library: the organization's own templates (filtered) and the ready-made ones. */
export async function library(
	trx: Trx,
	orgId: string,
	filter: LibraryFilter
): Promise<{ own: TemplateSummary[]; readyMade: TemplateSummary[] }> {
	const search = filter.q.trim();
	const like = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
	let own = trx
		.selectFrom('message_templates')
		.select(summaryColumns)
		.where('org_id', '=', orgId)
		.orderBy('updated_at', 'desc')
		.orderBy('id')
		.limit(500);
	let ready = trx
		.selectFrom('message_templates')
		.select(summaryColumns)
		.where('org_id', 'is', null)
		.orderBy('channel')
		.orderBy('name');
	if (search) {
		own = own.where('name', 'ilike', like);
		ready = ready.where('name', 'ilike', like);
	}
	if (filter.channel) {
		own = own.where('channel', '=', filter.channel);
		ready = ready.where('channel', '=', filter.channel);
	}
	if (filter.folder) own = own.where('folder_id', '=', filter.folder);
	const [o, r] = await Promise.all([own.execute(), ready.execute()]);
	return { own: o.map(summary), readyMade: filter.folder ? [] : r.map(summary) };
}

/** A template the caller may read (their organization's or a ready-made one). */
export async function get(trx: Trx, orgId: string, id: string): Promise<Template> {
	const r = await trx
		.selectFrom('message_templates')
		.select([...summaryColumns, 'purpose', 'preheader', 'document', 'body', 'based_on'])
		.where('id', '=', id)
		.where((eb) => eb.or([eb('org_id', '=', orgId), eb('org_id', 'is', null)]))
		.executeTakeFirst();
	if (!r) throw new TemplateNotFoundError();
	const parsed = r.document === null ? null : emailDocument.safeParse(r.document);
	return {
		...summary(r),
		orgId: r.org_id,
		purpose: r.purpose as Template['purpose'],
		preheader: r.preheader,
		// A stored document the schema no longer accepts opens as an empty one rather than failing the page.
		document: parsed ? (parsed.success ? parsed.data : blankDocument()) : null,
		body: r.body,
		basedOn: r.based_on
	};
}

/** An email to start from: a heading, a paragraph and the footer. */
export function blankDocument(): EmailDocument {
	const input: EmailDocumentInput = {
		version: 1,
		sections: [
			{
				type: 'section',
				id: 'main',
				columns: [
					{
						id: 'main-col',
						blocks: [
							{ type: 'text', id: 'title', text: 'Your headline', style: 'heading' },
							{
								type: 'text',
								id: 'intro',
								text: 'Hi {{contact.first_name | there}},\n\nWrite your message here.'
							}
						]
					}
				]
			},
			{
				type: 'section',
				id: 'foot',
				columns: [
					{
						id: 'foot-col',
						blocks: [
							{
								type: 'footer',
								id: 'footer',
								text: 'You are receiving this email because you subscribed.',
								address: 'Add your postal address here'
							}
						]
					}
				]
			}
		]
	};
	return emailDocument.parse(input);
}

const BLANK_NAMES: Record<TemplateChannel, string> = {
	email: 'Untitled email',
	sms: 'Untitled SMS',
	whatsapp: 'Untitled WhatsApp message'
};

/** A new template of the organization; returns its id. */
export async function create(trx: Trx, orgId: string, input: CreateInput): Promise<string> {
	const parsed = createInput.parse(input);
	if ('from' in parsed) {
		const source = await get(trx, orgId, parsed.from);
		const row = await trx
			.insertInto('message_templates')
			.values({
				org_id: orgId,
				channel: source.channel,
				category: source.category,
				name:
					parsed.name ?? (source.readyMade ? source.name : `${source.name} (copy)`).slice(0, 120),
				description: source.description,
				purpose: source.purpose,
				subject: source.subject,
				preheader: source.preheader,
				document: source.document === null ? null : JSON.stringify(source.document),
				body: source.body,
				based_on: source.id
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		return row.id;
	}
	const email = parsed.channel === 'email';
	const row = await trx
		.insertInto('message_templates')
		.values({
			org_id: orgId,
			channel: parsed.channel,
			name: parsed.name ?? BLANK_NAMES[parsed.channel],
			subject: email ? '' : null,
			document: email ? JSON.stringify(blankDocument()) : null,
			body: email ? null : 'Hi {{contact.first_name | there}}, '
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return row.id;
}

/** Where a zod problem of the document is: the id of the block it is in, when it is in one. */
function blockIdAt(raw: unknown, path: PropertyKey[]): string | null {
	let node: unknown = raw;
	let found: string | null = null;
	for (const key of path) {
		if (node === null || typeof node !== 'object') break;
		node = (node as Record<PropertyKey, unknown>)[key];
		const id = node && typeof node === 'object' ? (node as { id?: unknown }).id : undefined;
		if (typeof id === 'string') found = id.slice(0, 40);
	}
	return found;
}

function documentIssues(raw: unknown, error: z.ZodError): TemplateIssue[] {
	return error.issues.slice(0, 20).map((i) => ({
		blockId: blockIdAt(raw, i.path),
		field: String(i.path.at(-1) ?? 'document'),
		message: i.message
	}));
}

/** The content of a save checked as the template's channel requires; throws TemplateInvalidError. */
export async function check(
	trx: Trx,
	orgId: string,
	channel: TemplateChannel,
	input: z.output<typeof saveInput>
): Promise<{ document: EmailDocument | null; issues: TemplateIssue[] }> {
	const customKeys = new Set((await listFields(trx, orgId)).map((f) => f.key));
	if (channel !== 'email') {
		const issues = validateText(input.body, { customKeys });
		if (channel === 'sms' && input.body.length > 1600)
			issues.push({
				blockId: null,
				field: 'body',
				message: 'An SMS can be at most 1,600 characters (10 parts).'
			});
		return { document: null, issues };
	}
	const parsed = emailDocument.safeParse(input.document);
	if (!parsed.success)
		return { document: null, issues: documentIssues(input.document, parsed.error) };
	const issues = validateEmail(
		parsed.data,
		{ subject: input.subject, preheader: input.preheader },
		{ customKeys, marketing: input.purpose === 'marketing' }
	);
	return { document: parsed.data, issues };
}

/** Saves the editor's content; nothing is written unless every check passes. */
export async function save(trx: Trx, orgId: string, id: string, raw: SaveInput): Promise<void> {
	const current = await get(trx, orgId, id);
	if (current.readyMade) throw new TemplateReadOnlyError();
	const parsed = saveInput.safeParse(raw);
	if (!parsed.success)
		throw new TemplateInvalidError(
			parsed.error.issues.slice(0, 20).map((i) => ({
				blockId: null,
				field: String(i.path[0] ?? 'template'),
				message: i.message
			}))
		);
	const input = parsed.data;
	const { document, issues } = await check(trx, orgId, current.channel, input);
	if (issues.length > 0) throw new TemplateInvalidError(issues);
	const email = current.channel === 'email';
	const result = await trx
		.updateTable('message_templates')
		.set({
			name: input.name,
			description: input.description,
			folder_id: input.folderId,
			purpose: input.purpose,
			subject: email ? input.subject.trim() : null,
			preheader: email ? input.preheader : '',
			document: email ? JSON.stringify(document) : null,
			body: email ? null : input.body
		})
		.where('id', '=', id)
		.where('org_id', '=', orgId)
		.executeTakeFirst();
	if (result.numUpdatedRows === 0n) throw new TemplateNotFoundError();
}

/** Moves a template into a folder (or out of any, with null). */
export async function move(
	trx: Trx,
	orgId: string,
	id: string,
	folderId: string | null
): Promise<void> {
	const result = await trx
		.updateTable('message_templates')
		.set({ folder_id: folderId })
		.where('id', '=', id)
		.where('org_id', '=', orgId)
		.executeTakeFirst();
	if (result.numUpdatedRows === 0n) throw new TemplateNotFoundError();
}

export async function remove(trx: Trx, orgId: string, id: string): Promise<void> {
	const result = await trx
		.deleteFrom('message_templates')
		.where('id', '=', id)
		.where('org_id', '=', orgId)
		.executeTakeFirst();
	if (result.numDeletedRows === 0n) throw new TemplateNotFoundError();
}
