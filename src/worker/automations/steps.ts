// What each step does. Internal steps (wait, condition, tags, fields, exit)
// write in the slice's transaction, so they commit together with the run's
// progress and a retry can never apply them twice. External steps (email,
// notify, HTTP, edge function) are prepared in a transaction, performed
// outside any transaction, and recorded in the next one (see executor.ts).
import { sql } from 'kysely';
import { DatabaseError } from 'pg';
import type { Step, StepOf } from '../../lib/automations/definition.ts';
import { escapeHtml, render, rootsIn } from '../../lib/automations/merge.ts';
import { fillSecret, secretIn } from '../../lib/automations/secrets.ts';
import type { Conn } from '../db.ts';
import { send } from '../outbound.ts';
import { evaluateChecks, type RunData } from './data.ts';
import type { Engine } from './engine.ts';
import { redactBody, redactHeaders, redactUrl } from './redact.ts';
import type { RunState } from './state.ts';
import { sign } from '../../lib/unsubscribe/token.ts';
import {
	unsubscribeHeaders,
	wrapHtml,
	wrapText,
	type OrgSender,
	type Unsubscribe
} from './branded-email.ts';

/** A step failure; `retryable: false` fails the run at once (retrying cannot help). */
export class StepError extends Error {
	override readonly name = 'StepError';
	readonly retryable: boolean;
	constructor(message: string, retryable = true) {
		super(message);
		this.retryable = retryable;
	}
}

export type InternalOutcome =
	| { kind: 'next'; next: string | null; input?: unknown; output?: unknown; skipped?: boolean }
	| { kind: 'wait'; until: Date; input: unknown }
	| { kind: 'exit'; output?: unknown };

const UNITS = { seconds: 1e3, minutes: 60e3, hours: 3600e3, days: 86400e3 } as const;

async function requireContact(data: RunData) {
	const contact = await data.contact();
	if (!contact) throw new StepError('The run has no contact (it was deleted).', false);
	if (contact.erased) throw new StepError('The contact was erased.', false);
	return contact;
}

/** Database errors a retry cannot fix become non-retryable step errors with a plain message. */
function fromDatabase(error: unknown, what: string): never {
	if (error instanceof DatabaseError) {
		if (error.code === '23503') throw new StepError(`${what} no longer exists.`, false);
		if (error.code === '23514' || error.code === '22P02' || error.code === '42501') {
			throw new StepError(error.message, false);
		}
	}
	throw error;
}

export async function runInternal(
	engine: Engine,
	trx: Conn,
	run: RunState,
	step: Exclude<
		Step,
		{ type: 'send_email' | 'notify_member' | 'http_request' | 'invoke_function' }
	>,
	data: RunData
): Promise<InternalOutcome> {
	switch (step.type) {
		case 'wait': {
			const until =
				step.wait.kind === 'until'
					? new Date(step.wait.at)
					: new Date(engine.clock.now().getTime() + step.wait.amount * UNITS[step.wait.unit]);
			return { kind: 'wait', until, input: { until: until.toISOString() } };
		}
		case 'condition': {
			let matched: boolean;
			if (step.condition.kind === 'data') {
				const roots = step.condition.checks.map((c) => c.path.split('.')[0]!);
				matched = evaluateChecks(
					await data.merge(roots),
					step.condition.match,
					step.condition.checks
				);
			} else {
				const contact = await requireContact(data);
				const found = await engine.rules.matching(
					trx,
					run.orgId,
					[contact.id],
					step.condition.rules
				);
				matched = found.has(contact.id);
			}
			return {
				kind: 'next',
				next: (matched ? step.then : step.else) ?? null,
				output: { branch: matched ? 'then' : 'else' }
			};
		}
		case 'add_tag':
		case 'remove_tag': {
			if (run.subjectType !== 'contact' || !run.subjectId) {
				throw new StepError('The run has no contact.', false);
			}
			let result: { found: number; changed: number } | undefined;
			try {
				const { rows } =
					step.type === 'add_tag'
						? await sql<{ found: number; changed: number }>`
							with c as (select id from public.contacts
							            where org_id = ${run.orgId} and id = ${run.subjectId} and erased_at is null),
							     t as (insert into public.contact_tags (org_id, contact_id, tag_id)
							           select ${run.orgId}, c.id, ${step.tagId} from c on conflict do nothing returning 1)
							select (select count(*) from c)::int as found, (select count(*) from t)::int as changed`.execute(
								trx
							)
						: await sql<{ found: number; changed: number }>`
							with c as (select id from public.contacts
							            where org_id = ${run.orgId} and id = ${run.subjectId} and erased_at is null),
							     t as (delete from public.contact_tags
							            where org_id = ${run.orgId} and contact_id = (select id from c) and tag_id = ${step.tagId}
							           returning 1)
							select (select count(*) from c)::int as found, (select count(*) from t)::int as changed`.execute(
								trx
							);
				result = rows[0];
			} catch (error) {
				fromDatabase(error, 'The tag');
			}
			if (!result?.found) throw new StepError('The contact was deleted or erased.', false);
			return {
				kind: 'next',
				next: step.next ?? null,
				input: { tag_id: step.tagId },
				output: { changed: result.changed > 0 }
			};
		}
		case 'update_field': {
			if (run.subjectType !== 'contact' || !run.subjectId) {
				throw new StepError('The run has no contact.', false);
			}
			const value =
				typeof step.value === 'string'
					? render(step.value, await data.merge(rootsIn(step.value)))
					: step.value;
			let updated = 0;
			try {
				const where = sql`org_id = ${run.orgId} and id = ${run.subjectId} and erased_at is null`;
				if (step.field.startsWith('custom.')) {
					const key = step.field.slice('custom.'.length);
					const json = JSON.stringify(value);
					const result = await sql`update public.contacts
						set custom = case when ${json}::jsonb = 'null'::jsonb then custom - ${key}
						                  else jsonb_set(custom, array[${key}], ${json}::jsonb) end
						where ${where}`.execute(trx);
					updated = Number(result.numAffectedRows ?? 0n);
				} else {
					const text = value === null || value === '' ? null : String(value);
					const result = await sql`update public.contacts set ${sql.ref(step.field)} = ${text}
						where ${where}`.execute(trx);
					updated = Number(result.numAffectedRows ?? 0n);
				}
			} catch (error) {
				fromDatabase(error, 'The field');
			}
			if (updated === 0) throw new StepError('The contact was deleted or erased.', false);
			data.invalidate();
			return {
				kind: 'next',
				next: step.next ?? null,
				input: { field: step.field, value }
			};
		}
		case 'exit':
			return { kind: 'exit', output: { exited: true } };
	}
}

export type ExternalStep = StepOf<
	'send_email' | 'notify_member' | 'http_request' | 'invoke_function'
>;

/** A side effect, prepared in a transaction and performed outside it. */
export type ExternalPlan =
	| { kind: 'skip'; input: unknown; output: unknown }
	| {
			kind: 'perform';
			input: unknown;
			/**
			 * Sends once at most: an attempt interrupted mid-flight (the worker died) is not
			 * repeated, because the send may have happened (email has no idempotency key).
			 */
			atMostOnce: boolean;
			perform(): Promise<unknown>;
	  };

const MESSAGE_DOMAIN = 'automations.growthdesk';

/**
 * The headers with their secret references replaced by the organization's saved
 * values (read here, by the worker: no member can read a value back). A secret
 * deleted since the automation was published fails the step for good.
 */
async function withSecrets(
	trx: Conn,
	orgId: string,
	headers: Record<string, string>
): Promise<Record<string, string>> {
	const names = [...new Set(Object.values(headers).map(secretIn))].filter((n) => n !== null);
	if (names.length === 0) return headers;
	const { rows } = await sql<{ name: string; value: string }>`
		select name, value from public.automation_secrets
		 where org_id = ${orgId} and name = any(${names}::text[])`.execute(trx);
	const secrets = new Map(rows.map((r) => [r.name, r.value]));
	const missing = names.find((n) => !secrets.has(n));
	if (missing !== undefined) {
		throw new StepError(`The saved secret "${missing}" was deleted; save it again.`, false);
	}
	return Object.fromEntries(
		Object.entries(headers).map(([name, value]) => [name, fillSecret(value, secrets)])
	);
}

/** The organization as a sender: its name, reply-to address and branding. */
async function orgSender(trx: Conn, orgId: string): Promise<OrgSender> {
	const { rows } = await sql<{
		name: string;
		reply_to: string | null;
		primary_color: string | null;
		font_family: string | null;
		logo_url: string | null;
	}>`
		select o.name, b.reply_to_email::text as reply_to, b.primary_color, b.font_family, b.logo_url
		  from public.organizations o left join public.branding_settings b on b.org_id = o.id
		 where o.id = ${orgId}`.execute(trx);
	const row = rows[0];
	if (!row) throw new StepError('The organization no longer exists.', false);
	return {
		name: row.name,
		replyTo: row.reply_to,
		primaryColor: row.primary_color ?? '#4f46e5',
		fontFamily: row.font_family ?? 'system-ui',
		logoUrl: row.logo_url
	};
}

/** The contact's signed unsubscribe link; marketing email cannot go out without one. */
function unsubscribeFor(
	engine: Engine,
	orgId: string,
	contactId: string,
	sender: OrgSender
): Unsubscribe {
	const { appUrl, unsubscribeSecret } = engine.config;
	if (!appUrl || !unsubscribeSecret) {
		throw new StepError(
			'Marketing email needs an unsubscribe link: set APP_URL (or ORIGIN) and UNSUBSCRIBE_SECRET for the worker.',
			false
		);
	}
	const token = sign(unsubscribeSecret, { orgId, contactId, channel: 'email' });
	return { url: `${appUrl.replace(/\/$/, '')}/u/${token}`, mailto: sender.replyTo };
}

export async function prepareExternal(
	engine: Engine,
	trx: Conn,
	run: RunState,
	step: ExternalStep,
	data: RunData,
	idempotencyKey: string
): Promise<ExternalPlan> {
	const headers = { 'Message-ID': `<${idempotencyKey}@${MESSAGE_DOMAIN}>` };
	switch (step.type) {
		case 'send_email': {
			const contact = await requireContact(data);
			const marketing = step.marketing ?? true;
			// Marketing email honours consent; transactional email (a receipt) only needs an address.
			const { rows } = marketing
				? await sql<{ allowed: boolean }>`
					select public.contact_can_send(${contact.id}, 'email') as allowed`.execute(trx)
				: { rows: [{ allowed: Boolean(contact.email) }] };
			if (!rows[0]?.allowed) {
				return {
					kind: 'skip',
					input: { contact_id: contact.id },
					output: {
						skipped: marketing
							? 'The contact is unsubscribed or cannot receive email.'
							: 'The contact has no email address.'
					}
				};
			}
			let subject: string;
			let text: string;
			let html: string | undefined;
			if (step.email.kind === 'template') {
				const { rows: templates } = await sql<{
					subject: string;
					body_text: string;
					body_html: string | null;
				}>`
					select subject, body_text, body_html from public.email_templates
					 where org_id = ${run.orgId} and id = ${step.email.templateId}`.execute(trx);
				const template = templates[0];
				if (!template) throw new StepError('The email template was deleted.', false);
				({ subject, body_text: text } = template);
				html = template.body_html ?? undefined;
			} else {
				({ subject, text, html } = step.email);
			}
			const sender = await orgSender(trx, run.orgId);
			const unsubscribe = marketing ? unsubscribeFor(engine, run.orgId, contact.id, sender) : null;
			const merge = await data.merge();
			const body = html
				? render(html, merge, { escape: 'html' })
				: `<p>${escapeHtml(render(text, merge)).replace(/\n/g, '<br>')}</p>`;
			const email = {
				to: contact.email!,
				fromName: sender.name,
				...(sender.replyTo ? { replyTo: sender.replyTo } : {}),
				subject: render(subject, merge).replace(/[\r\n]+/g, ' '),
				text: wrapText(sender, render(text, merge), unsubscribe),
				html: wrapHtml(sender, body, unsubscribe)
			};
			const sendHeaders = unsubscribe
				? { ...headers, ...unsubscribeHeaders(unsubscribe) }
				: headers;
			return {
				kind: 'perform',
				atMostOnce: true,
				input: {
					to: email.to,
					subject: email.subject,
					from_name: sender.name,
					reply_to: sender.replyTo,
					marketing,
					template_id: step.email.kind === 'template' ? step.email.templateId : null
				},
				perform: async () => {
					await engine.mailer.send({ ...email, headers: sendHeaders });
					return { sent: true, message_id: headers['Message-ID'] };
				}
			};
		}
		case 'notify_member': {
			const { rows } = await sql<{ email: string }>`
				select u.email from public.members m join auth.users u on u.id = m.user_id
				 where m.org_id = ${run.orgId} and m.user_id = ${step.userId}`.execute(trx);
			const to = rows[0]?.email;
			if (!to) throw new StepError('The member to notify is no longer in the organization.', false);
			const merge = await data.merge();
			const email = {
				to,
				subject: render(step.subject, merge).replace(/[\r\n]+/g, ' '),
				text: render(step.text, merge),
				html: `<p>${escapeHtml(render(step.text, merge)).replace(/\n/g, '<br>')}</p>`
			};
			return {
				kind: 'perform',
				atMostOnce: true,
				input: { user_id: step.userId, to, subject: email.subject },
				perform: async () => {
					await engine.mailer.send({ ...email, headers });
					return { sent: true };
				}
			};
		}
		case 'http_request':
		case 'invoke_function': {
			const merge = await data.merge();
			let url: string;
			const requestHeaders: Record<string, string> = {
				'idempotency-key': idempotencyKey,
				'user-agent': 'Growthdesk-Automations/1'
			};
			let method: string;
			let body: string | undefined;
			let policy = engine.config.outbound;
			if (step.type === 'http_request') {
				url = render(step.url, merge, { escape: 'url' });
				method = step.method;
				// A secret reference is kept as written (merge data never turns into one).
				for (const [k, v] of Object.entries(step.headers ?? {}))
					requestHeaders[k.toLowerCase()] = secretIn(v) === null ? render(v, merge) : v;
				body =
					step.body === undefined || method === 'GET'
						? undefined
						: render(step.body, merge, { escape: 'json' });
				if (body !== undefined) requestHeaders['content-type'] ??= 'application/json';
			} else {
				if (!engine.config.functionsUrl) {
					throw new StepError(
						'Edge functions are not configured for the worker (SUPABASE_URL).',
						false
					);
				}
				url = `${engine.config.functionsUrl}/${step.functionName}`;
				method = 'POST';
				body = render(step.body ?? '{}', merge, { escape: 'json' });
				requestHeaders['content-type'] = 'application/json';
				if (engine.config.functionsKey)
					requestHeaders.authorization = `Bearer ${engine.config.functionsKey}`;
				// The project's own functions are a trusted target, wherever they run.
				policy = { allowLoopback: true, allowPrivate: true };
			}
			const timeoutMs = (step.timeoutSeconds ?? engine.config.httpTimeoutSeconds) * 1000;
			const sentHeaders = await withSecrets(trx, run.orgId, requestHeaders);
			// Viewers read run records: header values, credentials in the URL and secret
			// fields of the body are recorded hidden (the request is sent with them);
			// a secret reference is recorded as the reference, never the value.
			const recordedHeaders = {
				...redactHeaders(requestHeaders),
				...Object.fromEntries(
					Object.entries(requestHeaders).filter(([, v]) => secretIn(v) !== null)
				)
			};
			return {
				kind: 'perform',
				atMostOnce: false,
				input: {
					method,
					url: redactUrl(url),
					headers: recordedHeaders,
					body: body === undefined ? null : redactBody(body).slice(0, 2000)
				},
				perform: async () => {
					let response;
					try {
						response = await send({
							method,
							url,
							headers: sentHeaders,
							body,
							timeoutMs,
							policy
						});
					} catch (error) {
						const refused = (error as Error).name === 'OutboundRefused';
						throw new StepError((error as Error).message, !refused);
					}
					if (response.status >= 200 && response.status < 300) {
						return { status: response.status, body: response.body, latency_ms: response.latencyMs };
					}
					const permanent =
						response.status >= 400 &&
						response.status < 500 &&
						![408, 425, 429].includes(response.status);
					throw new StepError(
						`HTTP ${response.status}${response.body ? `: ${response.body.slice(0, 300)}` : ''}`,
						!permanent
					);
				}
			};
		}
	}
}
