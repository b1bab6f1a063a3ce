/**
 * Durable jobs and MCP Tasks.
 *
 * - `openJobStore({ stateDir })` opens `<stateDir>/jobs.sqlite` (`ai_jobs`, WAL, one writer per
 *   process). Jobs left active by a dead process become `interrupted` on open (and on
 *   `sweepInterrupted()`); progress is looked up by token, and a token that matches no active job
 *   is refused as `progress_token_mismatch`. Used by the server and by the host.
 * - `DurableTaskStore` implements the SDK's `TaskStore` on the same table, so tasks survive a
 *   restart and report an interrupted run as failed with its reason.
 *
 * @module
 */
export { isId128, randomId128 } from "./ids.ts";
export { loadOrCreateServerId, loadOrCreateStateId, type StateIdSpec } from "./server_identity.ts";
export {
  interruptedRecord,
  type Job,
  JOB_STATUSES,
  type JobActivity,
  type JobProgress,
  type JobStatus,
  type JobStore,
  type NewJob,
  type NewTaskFields,
  openJobStore,
  type OpenJobStoreOptions,
  type ProgressReport,
  type ProgressToken,
  TERMINAL_JOB_STATUSES,
  type TokenScope,
} from "./job_store.ts";
export {
  DurableTaskStore,
  type DurableTaskStoreOptions,
  type TaskStatusListener,
} from "./task_store.ts";
export {
  createJobObserver,
  type JobObservedRequest,
  type JobObserver,
  type RequestKey,
} from "./observer.ts";
