// Graph validation, run before a definition is activated (and by the builder as
// the user edits): structure, dangling branches, unreachable steps, loops
// without a wait, merge fields, and references to templates, tags, fields,
// members and endpoints that no longer exist. Every error names its step.
import { eventCatalog, isEventType } from '../events/catalog.ts';
import { cronProblem } from './cron.ts';
import {
	CONTACT_STEPS,
	definitionSchema,
	edgesOf,
	type Definition,
	type RuleTree,
	type Step
} from './definition.ts';
import { customFieldsIn, mergeProblems } from './merge.ts';
import { headerProblem, secretIn } from './secrets.ts';

export type GraphError = {
	/** The step at fault (null for the trigger and the graph as a whole). */
	stepId: string | null;
	stepName: string | null;
	/** Dotted path into the definition, e.g. `steps.2.wait.amount` or `trigger.event`. */
	path: string;
	/** A sentence that names the step, e.g. `Step "Welcome": the template was deleted.` */
	message: string;
};

/** What exists in the organization now; a set left out is not checked. */
export type References = {
	templates?: ReadonlySet<string>;
	tags?: ReadonlySet<string>;
	/** Custom contact field keys. */
	fields?: ReadonlySet<string>;
	/** User ids of the organization's members. */
	members?: ReadonlySet<string>;
	/** Incoming webhook endpoint ids. */
	endpoints?: ReadonlySet<string>;
	/** Edge function names that are deployed. */
	functions?: ReadonlySet<string>;
	/** Names of the organization's saved secrets. */
	secrets?: ReadonlySet<string>;
};

export type ValidateOptions = {
	/** "Wait until" must be in the future at activation. */
	now?: Date;
	/** Problems with a rule tree (the segments module's checker); none when left out. */
	checkRules?: (rules: RuleTree) => string[];
};

export type Validation =
	| { ok: true; definition: Definition; errors: [] }
	| { ok: false; definition: Definition | null; errors: GraphError[] };

export function validateGraph(
	input: unknown,
	refs: References = {},
	opts: ValidateOptions = {}
): Validation {
	const parsed = definitionSchema.safeParse(input);
	if (!parsed.success) {
		return { ok: false, definition: null, errors: structureErrors(input, parsed.error.issues) };
	}
	const definition = parsed.data;
	const errors = [...graphErrors(definition), ...contentErrors(definition, refs, opts)];
	return errors.length === 0
		? { ok: true, definition, errors: [] }
		: { ok: false, definition, errors };
}

function stepAt(input: unknown, index: number): { id: string | null; name: string | null } {
	const steps = (input as { steps?: unknown } | null)?.steps;
	const step = Array.isArray(steps) ? (steps[index] as Record<string, unknown> | undefined) : null;
	return {
		id: typeof step?.id === 'string' ? step.id : null,
		name: typeof step?.name === 'string' && step.name.trim() ? step.name : null
	};
}

/** How a message names a step: by its name, else its place (never its internal id). */
function label(name: string | null, index?: number): string {
	if (name) return `Step "${name}"`;
	return index === undefined ? 'A step' : `Step ${index + 1}`;
}

function structureErrors(
	input: unknown,
	issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>
): GraphError[] {
	return issues.map((issue) => {
		const path = issue.path.map(String).join('.');
		if (issue.path[0] === 'steps' && typeof issue.path[1] === 'number') {
			const { id, name } = stepAt(input, issue.path[1]);
			// The path stays in `path` for the builder to place the message; the sentence is for people.
			return {
				stepId: id,
				stepName: name,
				path,
				message: `${label(name, issue.path[1])}: ${issue.message}`
			};
		}
		return {
			stepId: null,
			stepName: null,
			path,
			message: `${path || 'definition'}: ${issue.message}`
		};
	});
}

function error(step: Step, index: number, field: string, message: string): GraphError {
	return {
		stepId: step.id,
		stepName: step.name,
		path: field ? `steps.${index}.${field}` : `steps.${index}`,
		message: `${label(step.name, index)}: ${message}`
	};
}

function graphErrors(definition: Definition): GraphError[] {
	const errors: GraphError[] = [];
	const byId = new Map<string, { step: Step; index: number }>();
	definition.steps.forEach((step, index) => {
		if (byId.has(step.id)) {
			errors.push(error(step, index, 'id', `the id "${step.id}" is used by another step.`));
		} else {
			byId.set(step.id, { step, index });
		}
	});
	if (!byId.has(definition.start)) {
		errors.push({
			stepId: null,
			stepName: null,
			path: 'start',
			message: 'Connect the trigger to the first step.'
		});
	}
	// Dangling branches.
	for (const [id, { step, index }] of byId) {
		for (const edge of edgesOf(step)) {
			if (edge.to !== null && !byId.has(edge.to)) {
				const branch =
					edge.label === 'next'
						? 'its next step'
						: `its "${edge.label === 'then' ? 'yes' : 'no'}" branch`;
				errors.push(
					error(step, index, edge.label, `${branch} was deleted; choose where to go instead.`)
				);
			}
			if (edge.to === id && step.type !== 'wait') {
				errors.push(error(step, index, edge.label, 'it leads back to itself without a wait.'));
			}
		}
	}
	// Unreachable steps.
	const reached = new Set<string>();
	const stack = byId.has(definition.start) ? [definition.start] : [];
	while (stack.length) {
		const id = stack.pop()!;
		if (reached.has(id)) continue;
		reached.add(id);
		for (const edge of edgesOf(byId.get(id)!.step)) {
			if (edge.to !== null && byId.has(edge.to)) stack.push(edge.to);
		}
	}
	for (const [id, { step, index }] of byId) {
		if (!reached.has(id) && byId.has(definition.start)) {
			errors.push(error(step, index, '', 'nothing leads to this step from the start.'));
		}
	}
	errors.push(...loopsWithoutWait(byId));
	return errors;
}

/** Cycles among non-wait steps (a wait breaks a loop into runs over time). */
function loopsWithoutWait(byId: Map<string, { step: Step; index: number }>): GraphError[] {
	const errors: GraphError[] = [];
	const state = new Map<string, 'open' | 'done'>();
	const path: string[] = [];
	const reported = new Set<string>();

	const visit = (id: string) => {
		state.set(id, 'open');
		path.push(id);
		const { step } = byId.get(id)!;
		if (step.type !== 'wait') {
			for (const edge of edgesOf(step)) {
				const to = edge.to;
				if (to === null || to === id || !byId.has(to)) continue;
				if (byId.get(to)!.step.type === 'wait') continue;
				if (state.get(to) === 'open') {
					const cycle = path.slice(path.indexOf(to));
					const key = [...cycle].sort().join('|');
					if (!reported.has(key)) {
						reported.add(key);
						const first = byId.get(to)!;
						const names = [...cycle, to].map((s) => `"${byId.get(s)!.step.name}"`).join(' → ');
						errors.push(
							error(
								first.step,
								first.index,
								'',
								`${names} loop without a wait; add a wait to the loop.`
							)
						);
					}
				} else if (!state.has(to)) {
					visit(to);
				}
			}
		}
		path.pop();
		state.set(id, 'done');
	};
	for (const id of byId.keys()) if (!state.has(id)) visit(id);
	return errors;
}

function subjectOf(definition: Definition): 'contact' | 'other' | 'none' | 'any' {
	const t = definition.trigger;
	if (t.type === 'webhook') return 'contact';
	if (t.type === 'schedule') return 'none';
	if (t.type === 'manual') return 'any';
	return isEventType(t.event)
		? eventCatalog[t.event].subject === 'contact'
			? 'contact'
			: 'other'
		: 'any';
}

function contentErrors(
	definition: Definition,
	refs: References,
	opts: ValidateOptions
): GraphError[] {
	const errors: GraphError[] = [];
	const trigger = definition.trigger;
	const triggerError = (path: string, message: string) =>
		errors.push({ stepId: null, stepName: null, path: `trigger.${path}`, message });

	if (trigger.type === 'event') {
		if (!isEventType(trigger.event)) {
			triggerError('event', `The trigger event "${trigger.event}" is not in the event catalog.`);
		}
		if (trigger.filter && opts.checkRules) {
			for (const p of opts.checkRules(trigger.filter))
				triggerError('filter', `The trigger filter: ${p}`);
		}
		if (
			trigger.filter &&
			isEventType(trigger.event) &&
			eventCatalog[trigger.event].subject !== 'contact'
		) {
			triggerError(
				'filter',
				`A contact filter needs an event about a contact; "${trigger.event}" is not.`
			);
		}
	} else if (trigger.type === 'schedule') {
		const problem = cronProblem(trigger.cron);
		if (problem) triggerError('cron', `The schedule: ${problem}`);
	} else if (trigger.type === 'webhook') {
		if (refs.endpoints && !refs.endpoints.has(trigger.endpointId)) {
			triggerError('endpointId', 'The incoming webhook endpoint of the trigger was deleted.');
		}
	}

	const subject = subjectOf(definition);
	const fieldRef = (step: Step, index: number, path: string, key: string) => {
		if (refs.fields && !refs.fields.has(key)) {
			errors.push(error(step, index, path, `the custom field "${key}" does not exist (deleted?).`));
		}
	};
	const texts = (step: Step, index: number, entries: Array<[string, string | undefined]>) => {
		for (const [path, value] of entries) {
			if (value === undefined) continue;
			for (const p of mergeProblems(value)) errors.push(error(step, index, path, p));
			for (const key of customFieldsIn(value)) fieldRef(step, index, path, key);
		}
	};

	definition.steps.forEach((step, index) => {
		if (
			CONTACT_STEPS.has(step.type) ||
			(step.type === 'condition' && step.condition.kind === 'contact')
		) {
			if (subject === 'none' || subject === 'other') {
				errors.push(
					error(
						step,
						index,
						'type',
						'it needs a contact, and this trigger does not start runs for one.'
					)
				);
			}
		}
		switch (step.type) {
			case 'wait':
				if (
					step.wait.kind === 'until' &&
					opts.now &&
					Date.parse(step.wait.at) <= opts.now.getTime()
				) {
					errors.push(
						error(step, index, 'wait.at', 'it waits until a time that has already passed.')
					);
				}
				break;
			case 'condition':
				if (step.condition.kind === 'contact' && opts.checkRules) {
					for (const p of opts.checkRules(step.condition.rules)) {
						errors.push(error(step, index, 'condition.rules', p));
					}
				}
				if (step.condition.kind === 'data') {
					step.condition.checks.forEach((check, i) => {
						const m = /^contact\.custom\.([a-z][a-z0-9_]*)$/.exec(check.path);
						if (m) fieldRef(step, index, `condition.checks.${i}.path`, m[1]!);
						if (check.op !== 'exists' && check.value === undefined) {
							errors.push(
								error(step, index, `condition.checks.${i}.value`, 'a check needs a value.')
							);
						}
					});
				}
				break;
			case 'send_email':
				if (step.email.kind === 'template') {
					if (refs.templates && !refs.templates.has(step.email.templateId)) {
						errors.push(error(step, index, 'email.templateId', 'its email template was deleted.'));
					}
				} else {
					texts(step, index, [
						['email.subject', step.email.subject],
						['email.text', step.email.text],
						['email.html', step.email.html]
					]);
				}
				break;
			case 'add_tag':
			case 'remove_tag':
				if (refs.tags && !refs.tags.has(step.tagId)) {
					errors.push(error(step, index, 'tagId', 'its tag was deleted.'));
				}
				break;
			case 'update_field':
				if (step.field.startsWith('custom.')) fieldRef(step, index, 'field', step.field.slice(7));
				if (typeof step.value === 'string') texts(step, index, [['value', step.value]]);
				break;
			case 'notify_member':
				if (refs.members && !refs.members.has(step.userId)) {
					errors.push(
						error(step, index, 'userId', 'the member to notify is no longer in the organization.')
					);
				}
				texts(step, index, [
					['subject', step.subject],
					['text', step.text]
				]);
				break;
			case 'http_request':
				texts(step, index, [
					['url', step.url],
					['body', step.body]
				]);
				for (const [name, value] of Object.entries(step.headers ?? {})) {
					const path = `headers.${name}`;
					const secret = secretIn(value);
					const problem = headerProblem(name, value);
					if (secret !== null) {
						if (refs.secrets && !refs.secrets.has(secret)) {
							errors.push(
								error(step, index, path, `the saved secret "${secret}" does not exist (deleted?).`)
							);
						}
					} else if (problem) {
						errors.push(error(step, index, path, problem));
					} else {
						texts(step, index, [[path, value]]);
					}
				}
				break;
			case 'invoke_function':
				if (refs.functions && !refs.functions.has(step.functionName)) {
					errors.push(
						error(step, index, 'functionName', `there is no edge function "${step.functionName}".`)
					);
				}
				texts(step, index, [['body', step.body]]);
				break;
			case 'exit':
				break;
		}
	});
	return errors;
}
