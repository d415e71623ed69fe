// Typed errors of the templates module; routes map them to statuses.
import type { TemplateIssue } from '../../templates/validate.ts';

/** No template the caller may see has this id. */
export class TemplateNotFoundError extends Error {
	override readonly name = 'TemplateNotFoundError';
	constructor() {
		super('Template not found.');
	}
}

/** A ready-made template is read-only: make a copy to change it. */
export class TemplateReadOnlyError extends Error {
	override readonly name = 'TemplateReadOnlyError';
	constructor() {
		super('Ready-made templates cannot be changed. Make a copy to edit it.');
	}
}

/** The template cannot be saved as it is: each problem at its block or field. */
export class TemplateInvalidError extends Error {
	override readonly name = 'TemplateInvalidError';
	readonly issues: TemplateIssue[];
	constructor(issues: TemplateIssue[]) {
		super(
			issues.length === 1
				? 'One thing needs fixing before this template can be saved.'
				: `${issues.length} things need fixing before this template can be saved.`
		);
		this.issues = issues;
	}
}
