// The brand lift module: studies (design, questions, review workflow, survey
// links), the report from rollups, and the public survey.
// Use as `import * as brandLift from '$lib/server/brand-lift'`.
export * from './studies.ts';
export * from './errors.ts';
export * as survey from './survey.ts';
export { report, reportByScan, toCsv, type StudyReport, type QuestionReport } from './report.ts';
export * from './schema.ts';
