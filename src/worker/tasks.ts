// Every background task the worker runs, by name. Jobs are enqueued from SQL
// (private.enqueue_job) in the transaction of the change that needs them.
import type { TaskList } from 'graphile-worker';
import { automationTasks } from './automation-tasks.ts';
import { campaignStatusesTask } from './campaign-statuses.ts';
import { contactFieldIndexTask, contactFieldPurgeTask } from './contacts-fields.ts';
import { contactDeps } from './contacts-deps.ts';
import { contactsImportTask } from './contacts-import.ts';
import { contactsImportFilesCleanupTask } from './contacts-import-files.ts';
import { dashboardRollupsFoldTask } from './dashboard-rollups.ts';
import { filesOrgPurgeTask } from './files-purge.ts';
import { financeOverdueTask } from './finance-overdue.ts';
import { messageReportsFoldTask } from './message-reports.ts';
import { segmentRefreshTask, segmentsApplyChangesTask } from './contacts-segments.ts';
import { messageSendStartTask } from './sending/start.ts';
import { messageTestDecideTask } from './sending/subject-test.ts';

export const tasks: TaskList = {
	contacts_import: contactsImportTask(contactDeps),
	contacts_import_files_cleanup: contactsImportFilesCleanupTask(contactDeps),
	segment_refresh: segmentRefreshTask(contactDeps),
	segments_apply_changes: segmentsApplyChangesTask(contactDeps),
	contact_field_index: contactFieldIndexTask(contactDeps),
	contact_field_purge: contactFieldPurgeTask(contactDeps),
	dashboard_rollups_fold: dashboardRollupsFoldTask(contactDeps),
	campaigns_advance_statuses: campaignStatusesTask(contactDeps),
	files_org_purge: filesOrgPurgeTask(),
	message_send_start: messageSendStartTask,
	message_test_decide: messageTestDecideTask,
	message_reports_fold: messageReportsFoldTask(contactDeps),
	finance_flag_overdue: financeOverdueTask(contactDeps),
	...automationTasks
};
