// Automations: definitions, validation, activation, runs and their history.
// Use as a namespace: `import * as automations from '$lib/server/automations'`.
// The engine that executes runs lives in the worker (src/worker/automations).
export {
	list,
	get,
	create,
	update,
	remove,
	references,
	templateChoices,
	validate,
	activate,
	deactivate,
	startRun,
	type Automation,
	type AutomationStatus,
	type AutomationSummary
} from './automations.ts';
export {
	listRuns,
	getRun,
	cancelRun,
	retryRun,
	InvalidRunCursorError,
	type RunDetail,
	type RunStatus,
	type RunSummary,
	type StepRunView
} from './runs.ts';
export {
	AutomationInvalidError,
	AutomationNotFoundError,
	AutomationStateError,
	SecretNotFoundError
} from './errors.ts';
export {
	listSecrets,
	secretNames,
	addSecret,
	replaceSecret,
	deleteSecret,
	secretsUsedIn,
	type SecretSummary
} from './secrets.ts';
export * from './schemas.ts';
export {
	validateGraph,
	type GraphError,
	type References,
	type Validation
} from '../../automations/validate.ts';
export {
	definitionSchema,
	type Definition,
	type Step,
	type Trigger
} from '../../automations/definition.ts';
export { eventCatalog, EVENT_TYPES, type EventType } from '../../events/catalog.ts';
