// Short descriptions of steps for the canvas and the step list.
import type { Step } from '$lib/automations/definition';

export function stepDetail(step: Step): string {
	switch (step.type) {
		case 'wait':
			return step.wait.kind === 'duration'
				? `${step.wait.amount} ${step.wait.unit}`
				: `until ${step.wait.at}`;
		case 'condition':
			return step.condition.kind === 'contact'
				? 'contact matches rules'
				: `${step.condition.match} of ${step.condition.checks.length} check(s)`;
		case 'send_email':
			return step.email.kind === 'inline' ? step.email.subject : 'template';
		case 'update_field':
			return step.field;
		case 'http_request':
			return `${step.method} ${step.url}`;
		case 'invoke_function':
			return step.functionName;
		default:
			return '';
	}
}
