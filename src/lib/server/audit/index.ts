// The audit log. Use as `import * as audit from '$lib/server/audit'`.
export { list, type AuditEntry, type AuditFilter } from './queries.ts';
