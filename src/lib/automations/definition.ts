// The shape of an automation definition: a trigger, a re-entry policy and a
// graph of steps. Shared by the builder (form and graph validation) and the
// worker (which re-parses every version it runs: a definition written around
// the app, e.g. straight through the API, is never trusted).
//
// The graph is a list of steps with ids; `start` names the first. Linear steps
// point at the next one with `next` (null or absent ends the run), a condition
// branches with `then` / `else`. Loops are allowed only through a wait.
import { z } from 'zod';
import { EVENT_TYPE_PATTERN } from '../events/catalog.ts';

export const STEP_ID_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;

const stepId = z.string().regex(STEP_ID_PATTERN, 'Use 1–40 letters, digits, - or _.');
const target = stepId.nullable().optional();
const text = (max: number) => z.string().max(max, `Use at most ${max} characters.`);
/** Text that must be filled in; `missing` says what to do when it is not. */
const nonEmpty = (max: number, missing: string) =>
	z.string().trim().min(1, missing).max(max, `Use at most ${max} characters.`);
/** A reference chosen from a picker; `missing` says what to choose. */
const chosen = (missing: string) => z.uuid(missing);

/**
 * A rule tree of the segment rule language (src/lib/server/segments), kept
 * opaque here: the segments module checks and compiles it.
 */
export const ruleTreeSchema = z.record(z.string(), z.unknown());
export type RuleTree = z.infer<typeof ruleTreeSchema>;

const scalar = z.union([z.string().max(500), z.number(), z.boolean(), z.null()]);

export const retrySchema = z.object({
	/** Attempts in all, the first included (1 = never retry). */
	maxAttempts: z.number().int().min(1).max(10),
	/** Delay before the second attempt; doubles for each one after. */
	backoffSeconds: z.number().int().min(1).max(86_400).optional()
});
export type RetryPolicy = z.infer<typeof retrySchema>;

const base = {
	id: stepId,
	name: nonEmpty(80, 'Give this step a name.'),
	retry: retrySchema.optional()
};

export const DURATION_UNITS = ['seconds', 'minutes', 'hours', 'days'] as const;

const waitStep = z.object({
	...base,
	type: z.literal('wait'),
	wait: z.discriminatedUnion('kind', [
		z.object({
			kind: z.literal('duration'),
			amount: z
				.number('Enter how long to wait.')
				.int('Use a whole number.')
				.min(1, 'Wait for at least 1.')
				.max(100_000, 'Wait for at most 100,000.'),
			unit: z.enum(DURATION_UNITS)
		}),
		z.object({
			kind: z.literal('until'),
			at: z.iso.datetime({ offset: true, error: 'Choose a date and time.' })
		})
	]),
	next: target
});

export const CHECK_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists'] as const;

/** A comparison on the data of the run: `event.payload.role`, `contact.custom.plan`, … */
export const checkSchema = z.object({
	path: z.string().regex(/^(event|contact|run)(\.[A-Za-z0-9_]+)+$/, 'Not a data path.'),
	op: z.enum(CHECK_OPS),
	value: scalar.optional()
});
export type Check = z.infer<typeof checkSchema>;

export const conditionSchema = z.discriminatedUnion('kind', [
	/** The run's contact matches a rule tree of the segment language. */
	z.object({ kind: z.literal('contact'), rules: ruleTreeSchema }),
	/** Comparisons on the event and the contact's fields. */
	z.object({
		kind: z.literal('data'),
		match: z.enum(['all', 'any']),
		checks: z.array(checkSchema).min(1, 'Add at least one check.').max(20)
	})
]);
export type Condition = z.infer<typeof conditionSchema>;

const conditionStep = z.object({
	...base,
	type: z.literal('condition'),
	condition: conditionSchema,
	then: target,
	else: target
});

const emailContent = z.discriminatedUnion('kind', [
	z.object({ kind: z.literal('template'), templateId: chosen('Choose a template.') }),
	z.object({
		kind: z.literal('inline'),
		subject: nonEmpty(200, 'Add a subject for this email.'),
		text: nonEmpty(20_000, 'Write the text of this email.'),
		html: text(100_000).optional()
	})
]);

const sendEmailStep = z.object({
	...base,
	type: z.literal('send_email'),
	email: emailContent,
	/**
	 * Marketing email (the default) carries an unsubscribe link and headers and is
	 * not sent to people who withdrew email consent; transactional email (a receipt,
	 * a password) carries neither.
	 */
	marketing: z.boolean().optional(),
	next: target
});

const tagStep = (type: 'add_tag' | 'remove_tag') =>
	z.object({ ...base, type: z.literal(type), tagId: chosen('Choose a tag.'), next: target });

/** Standard contact fields a step may write; custom ones are `custom.<key>`. */
export const WRITABLE_CONTACT_FIELDS = ['first_name', 'last_name', 'company', 'phone'] as const;

const updateFieldStep = z.object({
	...base,
	type: z.literal('update_field'),
	field: z
		.string()
		.refine(
			(f) =>
				(WRITABLE_CONTACT_FIELDS as readonly string[]).includes(f) ||
				/^custom\.[a-z][a-z0-9_]{0,39}$/.test(f),
			'Choose a contact field.'
		),
	/** Strings may use merge fields ({{event.payload.tag}}); null clears the field. */
	value: z.union([scalar, z.array(z.string().max(500)).max(200)]),
	next: target
});

const notifyMemberStep = z.object({
	...base,
	type: z.literal('notify_member'),
	userId: chosen('Choose who to notify.'),
	subject: nonEmpty(200, 'Add a subject for this message.'),
	text: nonEmpty(20_000, 'Write the message.'),
	next: target
});

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const httpRequestStep = z.object({
	...base,
	type: z.literal('http_request'),
	method: z.enum(HTTP_METHODS),
	url: z
		.string()
		.max(2000)
		.regex(/^https?:\/\/[^\s]+$/, 'Enter an http(s) URL.'),
	headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,100}$/), text(2000)).optional(),
	body: text(100_000).optional(),
	/** Per attempt; the whole step may take maxAttempts × this. */
	timeoutSeconds: z.number().int().min(1).max(60).optional(),
	next: target
});

const invokeFunctionStep = z.object({
	...base,
	type: z.literal('invoke_function'),
	functionName: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Not a function name.'),
	body: text(100_000).optional(),
	timeoutSeconds: z.number().int().min(1).max(60).optional(),
	next: target
});

const exitStep = z.object({ ...base, type: z.literal('exit') });

export const stepSchema = z.discriminatedUnion('type', [
	waitStep,
	conditionStep,
	sendEmailStep,
	tagStep('add_tag'),
	tagStep('remove_tag'),
	updateFieldStep,
	notifyMemberStep,
	httpRequestStep,
	invokeFunctionStep,
	exitStep
]);
export type Step = z.infer<typeof stepSchema>;
export type StepType = Step['type'];
export type StepOf<T extends StepType> = Extract<Step, { type: T }>;

export const STEP_TYPES: readonly StepType[] = [
	'wait',
	'condition',
	'send_email',
	'add_tag',
	'remove_tag',
	'update_field',
	'notify_member',
	'http_request',
	'invoke_function',
	'exit'
];

/** Steps that touch the outside world: executed outside the step transaction, once. */
export const EXTERNAL_STEPS: ReadonlySet<StepType> = new Set([
	'send_email',
	'notify_member',
	'http_request',
	'invoke_function'
]);

/** Steps that need a contact as the run's subject. */
export const CONTACT_STEPS: ReadonlySet<StepType> = new Set([
	'send_email',
	'add_tag',
	'remove_tag',
	'update_field'
]);

export const triggerSchema = z.discriminatedUnion('type', [
	z.object({
		type: z.literal('event'),
		event: z.string().regex(EVENT_TYPE_PATTERN, 'Choose an event type.'),
		/** Equality on top-level payload keys, e.g. { tag: 'VIP' } for tag.added. */
		match: z.record(z.string().regex(/^[a-z_][a-z0-9_]*$/), scalar).optional(),
		/** The subject contact must match this rule tree (segment language). */
		filter: ruleTreeSchema.optional()
	}),
	z.object({
		type: z.literal('schedule'),
		/** Five-field cron (minute hour day-of-month month day-of-week), in the organization's time zone. */
		cron: z.string().max(100)
	}),
	z.object({ type: z.literal('webhook'), endpointId: chosen('Choose an endpoint.') }),
	z.object({ type: z.literal('manual') })
]);
export type Trigger = z.infer<typeof triggerSchema>;

export const reentrySchema = z.discriminatedUnion('mode', [
	z.object({ mode: z.literal('once') }),
	z.object({ mode: z.literal('every_time') }),
	z.object({ mode: z.literal('after_days'), days: z.number().int().min(1).max(3650) })
]);
export type Reentry = z.infer<typeof reentrySchema>;

export const definitionSchema = z.object({
	trigger: triggerSchema,
	reentry: reentrySchema,
	start: stepId,
	steps: z.array(stepSchema).min(1, 'Add at least one step.').max(200, 'Use at most 200 steps.')
});
export type Definition = z.infer<typeof definitionSchema>;

/** The event type that starts runs of a definition, if an event does. */
export function triggerEventType(trigger: Trigger): string | null {
	if (trigger.type === 'event') return trigger.event;
	if (trigger.type === 'webhook') return 'webhook.received';
	return null;
}

/** Where a step goes next: every outgoing edge, with its label. */
export function edgesOf(step: Step): Array<{ label: 'next' | 'then' | 'else'; to: string | null }> {
	switch (step.type) {
		case 'condition':
			return [
				{ label: 'then', to: step.then ?? null },
				{ label: 'else', to: step.else ?? null }
			];
		case 'exit':
			return [];
		default:
			return [{ label: 'next', to: step.next ?? null }];
	}
}

/** An empty draft for a new automation (valid once a trigger and steps are chosen). */
export function emptyDefinition(): Definition {
	return {
		trigger: { type: 'manual' },
		reentry: { mode: 'every_time' },
		start: 'exit',
		steps: [{ id: 'exit', name: 'Exit', type: 'exit' }]
	};
}
