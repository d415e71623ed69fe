// Every background task the worker runs, by name. Jobs are enqueued from SQL
// (private.enqueue_job) in the transaction of the change that needs them.
import type { TaskList } from 'graphile-worker';

export const tasks: TaskList = {};
