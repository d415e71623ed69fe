// Short descriptions of steps for the canvas and the step list, in words (tag
// and member names, not ids).
import type { Step } from '$lib/automations/definition';
import { formatInZone } from '$lib/automations/zoned';
import { plural } from '$lib/components/contacts/display';
import { STANDARD_LABELS } from '$lib/components/contacts/rules';
import type { Choices } from './model';
import { checkPhrase, type PathNames } from './paths';

const UNIT: Record<string, string> = {
	seconds: 'second',
	minutes: 'minute',
	hours: 'hour',
	days: 'day'
};

/** What the builder knows by name; left out, a detail says less. */
export type StepNames = Partial<Pick<Choices, 'members'>> & {
	tags?: { id: string; name: string }[];
	fields?: PathNames['fields'];
	/** Contact statuses, for "Contact's email status is Subscribed". */
	statuses?: readonly string[];
	/** The organization's time zone, in which dates are shown. */
	timeZone?: string;
};

export function stepDetail(step: Step, names: StepNames = {}): string {
	switch (step.type) {
		case 'wait':
			return step.wait.kind === 'duration'
				? `for ${plural(step.wait.amount, UNIT[step.wait.unit] ?? step.wait.unit)}`
				: `until ${formatInZone(step.wait.at, names.timeZone ?? 'UTC')}`;
		case 'condition': {
			if (step.condition.kind === 'contact') return 'contact matches rules';
			const [first, ...rest] = step.condition.checks;
			if (!first) return 'no checks yet';
			const phrase = checkPhrase(first, names);
			const joint = step.condition.match === 'all' ? 'and' : 'or';
			return rest.length ? `${phrase} ${joint} ${plural(rest.length, 'more check')}` : phrase;
		}
		case 'send_email':
			return step.email.kind === 'inline' ? step.email.subject : 'template';
		case 'add_tag':
		case 'remove_tag':
			return names.tags?.find((t) => t.id === step.tagId)?.name ?? '';
		case 'update_field':
			return step.field.startsWith('custom.')
				? (names.fields?.find((f) => `custom.${f.key}` === step.field)?.label ?? '')
				: (STANDARD_LABELS[step.field] ?? step.field);
		case 'notify_member':
			return names.members?.find((m) => m.id === step.userId)?.name ?? '';
		case 'http_request':
			return `${step.method} ${step.url}`;
		case 'invoke_function':
			return step.functionName;
		default:
			return '';
	}
}
