// Typed errors of the automations module; routes map them to fail()/error().
import type { GraphError } from '../../automations/validate.ts';

/** No automation (or run) the caller may see has this id. */
export class AutomationNotFoundError extends Error {
	override readonly name = 'AutomationNotFoundError';
	readonly id: string;
	constructor(id: string, what: 'Automation' | 'Run' = 'Automation') {
		super(`${what} not found.`);
		this.id = id;
	}
}

/** The definition cannot be activated; every problem names its step (or the trigger). */
export class AutomationInvalidError extends Error {
	override readonly name = 'AutomationInvalidError';
	readonly errors: GraphError[];
	constructor(errors: GraphError[]) {
		super(errors.map((e) => e.message).join(' '));
		this.errors = errors;
	}
}

/** The operation does not fit the current state (retrying a run that did not fail, …). */
export class AutomationStateError extends Error {
	override readonly name = 'AutomationStateError';
	readonly code: string;
	constructor(code: string, message: string) {
		super(message);
		this.code = code;
	}
}

/** No saved secret the caller may change has this id (deleted, or RLS hid it: no automations.write). */
export class SecretNotFoundError extends Error {
	override readonly name = 'SecretNotFoundError';
	readonly id: string;
	constructor(id: string) {
		super('That secret no longer exists, or you may not change it.');
		this.id = id;
	}
}
