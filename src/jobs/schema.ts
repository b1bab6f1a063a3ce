/**
 * The `ai_jobs` table. Job columns are the ones every consumer (server, host, `flight`) shares;
 * `task_*` columns hold the MCP Tasks view of a job (set only for task-augmented calls) so a task
 * and its job can never disagree. Statuses are checked by the database, not only by the code.
 *
 * @module
 */

/** Schema version stored in `PRAGMA user_version`. */
export const SCHEMA_VERSION = 1;

/** DDL for version 1; idempotent. */
export const SCHEMA_V1 = `
CREATE TABLE IF NOT EXISTS ai_jobs (
  job_id              TEXT PRIMARY KEY NOT NULL,
  workflow_run_id     TEXT NOT NULL,
  trace_id            TEXT NOT NULL,
  status              TEXT NOT NULL CHECK (status IN
                        ('queued','running','input_required','completed','failed','cancelled','interrupted')),
  tool_name           TEXT NOT NULL,
  case_dir            TEXT,
  output_dir          TEXT,
  mcp_server_id       TEXT NOT NULL,
  mcp_session_id      TEXT,
  mcp_call_id         TEXT,
  mcp_progress_token  TEXT,
  progress            REAL,
  total               REAL,
  last_update         TEXT,
  error               TEXT,
  owner_id            TEXT NOT NULL,
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL,
  task_request        TEXT,
  task_ttl_ms         INTEGER,
  task_poll_interval_ms INTEGER,
  task_status_message TEXT,
  task_result         TEXT,
  task_expires_at_ms  INTEGER
);
CREATE INDEX IF NOT EXISTS idx_ai_jobs_progress_token ON ai_jobs(mcp_progress_token);
CREATE INDEX IF NOT EXISTS idx_ai_jobs_status_owner ON ai_jobs(status, owner_id);
CREATE INDEX IF NOT EXISTS idx_ai_jobs_task_expiry ON ai_jobs(task_expires_at_ms);
`;
