// The builder's view of an automation definition: labels, new steps, edges and a
// simple layered layout. The data model is the one the engine runs
// (src/lib/automations/definition.ts); a draft may be incomplete until activation.
import {
	edgesOf,
	emptyDefinition,
	STEP_TYPES,
	type Definition,
	type Step,
	type StepType,
	type Trigger
} from '$lib/automations/definition';
import { describeSchedule } from '$lib/automations/schedule';
import {
	EVENT_TYPES,
	eventCatalog,
	isEventType,
	MODULE_LABELS,
	type EventType
} from '$lib/events/catalog';
import { plural } from '$lib/components/contacts/display';
import { STANDARD_LABELS, type BuilderContext } from '$lib/components/contacts/rules';
import { ROLE_LABELS } from '$lib/schemas/members';

export { STEP_TYPES, edgesOf, type Definition, type Step, type StepType, type Trigger };

export const STEP_LABELS: Record<StepType, string> = {
	wait: 'Wait',
	condition: 'Condition',
	send_email: 'Send email',
	add_tag: 'Add tag',
	remove_tag: 'Remove tag',
	update_field: 'Update field',
	notify_member: 'Notify member',
	http_request: 'HTTP request',
	invoke_function: 'Invoke edge function',
	exit: 'Exit'
};

export const STEP_HINTS: Record<StepType, string> = {
	wait: 'Pause for a while or until a date',
	condition: 'Branch on contact or event data',
	send_email: 'Email the contact, with merge fields',
	add_tag: 'Tag the contact',
	remove_tag: 'Take a tag off the contact',
	update_field: 'Set a contact field',
	notify_member: 'Email someone on the team',
	http_request: 'Call a URL',
	invoke_function: 'Call a Supabase edge function',
	exit: 'End the run here'
};

export const TRIGGER_LABELS: Record<Trigger['type'], string> = {
	event: 'When an event happens',
	schedule: 'On a schedule',
	webhook: 'When an incoming webhook is received',
	manual: 'Started by hand'
};

/** "1 problem", "2 problems". */
export const problemCount = (n: number) => plural(n, 'problem');

/** Event types for a picker, by label, grouped by module: never the key. */
export function eventGroups(): { label: string; options: { value: EventType; label: string }[] }[] {
	const groups = new Map<string, { value: EventType; label: string }[]>();
	for (const type of EVENT_TYPES) {
		const group = MODULE_LABELS[eventCatalog[type].module];
		if (!groups.has(group)) groups.set(group, []);
		groups.get(group)!.push({ value: type, label: eventCatalog[type].label });
	}
	return [...groups].map(([label, options]) => ({ label, options }));
}

/** An "only when" choice of an event: which tag, which segment, … (stored as the payload key). */
export type MatchFilter = {
	key: string;
	label: string;
	/** The choice that leaves the filter out. */
	any: string;
	options: { value: string; label: string }[];
};

const capitalized = (v: string) => v.charAt(0).toUpperCase() + v.slice(1);
const named = (values: readonly string[], labels: Record<string, string> = {}) =>
	values.map((v) => ({ value: v, label: labels[v] ?? capitalized(v) }));
const ROLE_VALUES = Object.keys(ROLE_LABELS);

/**
 * Contact fields whose change a "Contact updated" trigger can wait for, by label:
 * the names the database records in the event's `changed` list (standard columns
 * and `custom.<key>`, src/lib/events/catalog.ts).
 */
export const CHANGEABLE_FIELDS = [
	'email',
	'phone',
	'first_name',
	'last_name',
	'company',
	'source',
	'status'
] as const;

/** The contact's fields as a picker offers them: standard ones, then the organization's own. */
export function contactFieldChoices(
	fields: readonly { key: string; label: string }[]
): { value: string; label: string }[] {
	return [
		...CHANGEABLE_FIELDS.map((f) => ({ value: f, label: STANDARD_LABELS[f] ?? f })),
		...fields.map((f) => ({ value: `custom.${f.key}`, label: f.label }))
	];
}

/** The "only when" choices an event type offers, with the organization's tags, segments, … */
export function matchFilters(event: string, choices: Choices): MatchFilter[] {
	const tags = choices.rules.tags.map((t) => ({ value: t.id, label: t.name }));
	const segments = choices.segments.map((s) => ({ value: s.id, label: s.name }));
	const roles = named(ROLE_VALUES, ROLE_LABELS);
	switch (event) {
		case 'contact.updated':
			return [
				{
					key: 'changed',
					label: 'Which field changed',
					any: 'Any field',
					options: contactFieldChoices(choices.rules.fields)
				}
			];
		case 'tag.added':
		case 'tag.removed':
			return [{ key: 'tag_id', label: 'Which tag', any: 'Any tag', options: tags }];
		case 'segment.entered':
		case 'segment.exited':
			return [{ key: 'segment_id', label: 'Which segment', any: 'Any segment', options: segments }];
		case 'consent.changed':
			return [
				{
					key: 'channel',
					label: 'Which channel',
					any: 'Any channel',
					options: named(['email', 'sms', 'whatsapp'], { sms: 'SMS', whatsapp: 'WhatsApp' })
				},
				{
					key: 'status',
					label: 'Consent now',
					any: 'Granted or withdrawn',
					options: named(['granted', 'withdrawn'])
				}
			];
		case 'member.joined':
		case 'member.left':
		case 'invitation.accepted':
			return [{ key: 'role', label: 'Which role', any: 'Any role', options: roles }];
		case 'member.role_changed':
			return [{ key: 'to', label: 'New role', any: 'Any role', options: roles }];
		case 'influencer.status_changed':
			return [
				{
					key: 'to',
					label: 'Moved to',
					any: 'Any column',
					options: named(['cold', 'active', 'final'])
				},
				{
					key: 'from',
					label: 'Moved from',
					any: 'Any column',
					options: named(['cold', 'active', 'final'])
				}
			];
		case 'webhook.received':
			return [
				{
					key: 'endpoint_id',
					label: 'Which endpoint',
					any: 'Any endpoint',
					options: choices.endpoints.map((e) => ({ value: e.id, label: e.name }))
				}
			];
		default:
			return [];
	}
}

/** Names the builder shows for what a trigger points at (tags, segments, …), by id. */
export type Names = Partial<Pick<Choices, 'segments' | 'endpoints'>> & {
	tags?: { id: string; name: string }[];
	/** Custom contact fields, for "Contact updated: Plan". */
	fields?: { key: string; label: string }[];
};

/** A one-line summary of a trigger, e.g. `Tag added: VIP` or `Every Monday at 09:00`. */
export function triggerSummary(
	trigger: Partial<Trigger> | undefined | null,
	names: Names = {}
): string {
	if (!trigger?.type) return 'No trigger';
	switch (trigger.type) {
		case 'event': {
			const event = trigger.event ?? '';
			const label = isEventType(event) ? eventCatalog[event].label : 'An event';
			const lists: Record<string, { id: string; name: string }[] | undefined> = {
				tag_id: names.tags,
				segment_id: names.segments,
				endpoint_id: names.endpoints
			};
			const values = Object.entries(trigger.match ?? {}).map(([k, v]) => {
				const list = lists[k];
				if (list) return list.find((x) => x.id === v)?.name ?? 'one that was deleted';
				if (k === 'changed') {
					return (
						contactFieldChoices(names.fields ?? []).find((f) => f.value === v)?.label ??
						'a field that was deleted'
					);
				}
				return k === 'role' || k === 'to'
					? (ROLE_LABELS[String(v) as keyof typeof ROLE_LABELS] ?? capitalized(String(v)))
					: capitalized(String(v));
			});
			return values.length ? `${label}: ${values.join(', ')}` : label;
		}
		case 'schedule':
			return describeSchedule(trigger.cron ?? '');
		case 'webhook':
			return 'Incoming webhook';
		case 'manual':
			return 'Started by hand';
	}
}

/** Summary of an event type string as stored on the automation row. */
export function eventLabel(type: string | null): string {
	if (!type) return 'On a schedule or by hand';
	return isEventType(type) ? eventCatalog[type].label : 'Another event';
}

/** The draft as the builder edits it: a definition, filled in where the stored draft lacks parts. */
export function normalizeDraft(draft: Record<string, unknown>): Definition {
	const base = emptyDefinition();
	const d = draft as Partial<Definition>;
	return {
		trigger: d.trigger ?? base.trigger,
		reentry: d.reentry ?? base.reentry,
		start: typeof d.start === 'string' ? d.start : base.start,
		steps: Array.isArray(d.steps) ? d.steps : base.steps
	};
}

/** A fresh id for a step of this type that the graph does not use yet. */
export function newStepId(type: StepType, steps: readonly Step[]): string {
	const used = new Set(steps.map((s) => s.id));
	for (let n = 1; ; n++) {
		const id = `${type}_${n}`;
		if (!used.has(id)) return id;
	}
}

/** A new step with sensible defaults (a valid shape where no reference is needed). */
export function newStep(type: StepType, steps: readonly Step[]): Step {
	const id = newStepId(type, steps);
	const name = `${STEP_LABELS[type]} ${id.split('_').at(-1)}`;
	switch (type) {
		case 'wait':
			return { id, name, type, wait: { kind: 'duration', amount: 1, unit: 'days' }, next: null };
		case 'condition':
			return {
				id,
				name,
				type,
				condition: {
					kind: 'data',
					match: 'all',
					checks: [{ path: 'contact.email', op: 'exists' }]
				},
				then: null,
				else: null
			};
		case 'send_email':
			return {
				id,
				name,
				type,
				email: { kind: 'inline', subject: '', text: 'Hi {{contact.first_name | "there"}},\n\n' },
				next: null
			};
		case 'add_tag':
		case 'remove_tag':
			return { id, name, type, tagId: '', next: null };
		case 'update_field':
			return { id, name, type, field: 'first_name', value: '', next: null };
		case 'notify_member':
			return { id, name, type, userId: '', subject: '', text: '', next: null };
		case 'http_request':
			return { id, name, type, method: 'POST', url: 'https://', next: null };
		case 'invoke_function':
			return { id, name, type, functionName: '', next: null };
		case 'exit':
			return { id, name, type };
	}
}

/** Where a step leads; condition branches named. */
export type EdgeSlot = 'next' | 'then' | 'else';

export function setEdge(step: Step, slot: EdgeSlot, to: string | null): void {
	const s = step as Record<string, unknown>;
	if (step.type === 'exit') return;
	if (step.type === 'condition') {
		if (slot === 'then' || slot === 'else') s[slot] = to;
		return;
	}
	if (slot === 'next') s.next = to;
}

/** Adds a step after `after` (or at the end of the chain), keeping the graph connected. */
export function addStep(def: Definition, type: StepType, after: string | null): Step {
	const step = newStep(type, def.steps);
	const from =
		(after ? def.steps.find((s) => s.id === after) : undefined) ??
		[...def.steps]
			.reverse()
			.find((s) => s.type !== 'exit' && edgesOf(s).some((e) => e.to === null));
	const reachable = def.steps.some((s) => s.id === def.start);
	def.steps.push(step);
	if (!reachable) {
		def.start = step.id;
		return step;
	}
	if (from) {
		const open = edgesOf(from).find((e) => e.to === null);
		if (open) {
			setEdge(from, open.label, step.id);
		} else if (from.type !== 'exit' && from.type !== 'condition') {
			// Insert between `from` and what followed it.
			setEdge(step, 'next', edgesOf(from)[0]?.to ?? null);
			setEdge(from, 'next', step.id);
		}
	}
	return step;
}

/** Removes a step; edges into it are re-pointed at what followed it (or cleared). */
export function removeStep(def: Definition, id: string): void {
	const step = def.steps.find((s) => s.id === id);
	if (!step) return;
	const follow = step.type === 'condition' || step.type === 'exit' ? null : (step.next ?? null);
	def.steps = def.steps.filter((s) => s.id !== id);
	for (const s of def.steps) {
		for (const edge of edgesOf(s)) if (edge.to === id) setEdge(s, edge.label, follow);
	}
	if (def.start === id) def.start = follow ?? def.steps[0]?.id ?? '';
}

/** Layers by distance from the start (breadth first), for the canvas. */
export function layout(def: Definition): Map<string, { x: number; y: number }> {
	const byId = new Map(def.steps.map((s) => [s.id, s]));
	const depth = new Map<string, number>();
	const queue: string[] = [];
	if (byId.has(def.start)) {
		depth.set(def.start, 1);
		queue.push(def.start);
	}
	while (queue.length) {
		const id = queue.shift()!;
		for (const edge of edgesOf(byId.get(id)!)) {
			if (edge.to && byId.has(edge.to) && !depth.has(edge.to)) {
				depth.set(edge.to, depth.get(id)! + 1);
				queue.push(edge.to);
			}
		}
	}
	let orphan = Math.max(1, ...depth.values()) + 1;
	for (const s of def.steps) if (!depth.has(s.id)) depth.set(s.id, orphan++);
	const perLayer = new Map<number, number>();
	const positions = new Map<string, { x: number; y: number }>();
	positions.set('trigger', { x: 0, y: 0 });
	for (const s of def.steps) {
		const d = depth.get(s.id)!;
		const column = perLayer.get(d) ?? 0;
		perLayer.set(d, column + 1);
		positions.set(s.id, { x: column * 260, y: d * 130 });
	}
	return positions;
}

export const MERGE_FIELDS = [
	'{{contact.first_name}}',
	'{{contact.last_name}}',
	'{{contact.email}}',
	'{{contact.company}}',
	'{{event.payload.tag}}',
	'{{org.name}}'
] as const;

/** What steps can point at in the organization (pickers of the side panel). */
export type Choices = {
	/** The organization's tags and custom fields, with what the contact condition's rule builder offers. */
	rules: BuilderContext;
	members: { id: string; name: string }[];
	/** Email templates (none until a templates module exists: the picker stays hidden). */
	templates: { id: string; name: string }[];
	segments: { id: string; name: string }[];
	endpoints: { id: string; name: string }[];
	/** Names of the organization's saved secrets, for HTTP step headers ({{secret:NAME}}). */
	secrets?: string[];
};

/** The value of the input or select an event came from. */
export function valueOf(event: Event): string {
	return (event.currentTarget as HTMLInputElement | HTMLSelectElement).value;
}
