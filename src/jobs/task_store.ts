/**
 * A durable MCP Tasks store (protocol 2025-11-25) on top of the job store: every task is an
 * `ai_jobs` row, so tasks survive a server restart and a task whose process died reports
 * `failed` with the reason instead of `working` forever.
 *
 * Rules beyond the SDK's `TaskStore` contract, chosen for a store shared across restarts:
 * - A task belongs to the session that created it and to this server id. A caller with another
 *   session id, or with none when the task had one, gets "not found" (no existence oracle).
 *   stdio has no session id, so stdio tasks are visible to the next stdio server on restart.
 * - TTL: the requested ttl is capped at `maxTtlMs` (null, "unlimited", is capped too: a durable
 *   store must not grow forever). A task is kept while active; it expires `ttl` after it ends.
 * - Correlation ids in `context` are used only when they have the shape this server mints.
 *
 * @module
 */
import type { CreateTaskOptions, TaskStore } from "@modelcontextprotocol/sdk/experimental/tasks";
import type { Request, RequestId, Result, Task } from "@modelcontextprotocol/sdk/types.js";
import type { SQLInputValue } from "node:sqlite";
import { errorRecord, type JsonValue } from "../common/mod.ts";
import type { FlightEvent } from "../recorder/mod.ts";
import { isId128 } from "./ids.ts";
import {
  type Job,
  jobFromRow,
  type JobStatus,
  type JobStore,
  type ProgressToken,
  TERMINAL_JOB_STATUSES,
} from "./job_store.ts";

type Row = Record<string, SQLInputValue | undefined>;
type TaskStatus = Task["status"];

/** Options for `DurableTaskStore`. */
export interface DurableTaskStoreOptions {
  /** This server's id; tasks of other servers sharing the state dir are invisible. */
  readonly serverId: string;
  /** Upper bound on a task's ttl in ms (default 24 h). */
  readonly maxTtlMs?: number;
  /** Poll interval suggested to clients when they ask for none (default 1000 ms). */
  readonly defaultPollIntervalMs?: number;
  /** Tasks per `tasks/list` page (default 50). */
  readonly pageSize?: number;
  /** Receives one `mcp.task_status` event per task creation and status change. */
  readonly onEvent?: (event: FlightEvent) => void;
}

/** Called when a task changes status through the store (e.g. `tasks/cancel`). */
export type TaskStatusListener = (taskId: string, status: TaskStatus) => void;

const DAY_MS = 86_400_000;

function taskStatusOf(status: JobStatus): TaskStatus {
  switch (status) {
    case "queued":
    case "running":
      return "working";
    case "interrupted":
      return "failed";
    default:
      return status;
  }
}

function jobStatusOf(status: TaskStatus): JobStatus {
  return status === "working" ? "running" : status;
}

function progressTokenOf(request: Request): ProgressToken | null {
  const meta = (request.params as { _meta?: { progressToken?: unknown } } | undefined)?._meta;
  const token = meta?.progressToken;
  return typeof token === "string" || typeof token === "number" ? token : null;
}

function toolNameOf(request: Request): string {
  const name = (request.params as { name?: unknown } | undefined)?.name;
  return request.method === "tools/call" && typeof name === "string" ? name : request.method;
}

function trustedId(context: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = context?.[key];
  return typeof value === "string" && isId128(value) ? value : undefined;
}

function errorResult(record: ReturnType<typeof errorRecord>): Result {
  return { content: [{ type: "text", text: JSON.stringify(record) }], isError: true };
}

function notFound(taskId: string): Error {
  return new Error(`Task ${taskId} not found`);
}

/** The durable `TaskStore`; pass it to the SDK server as `taskStore`. */
export class DurableTaskStore implements TaskStore {
  readonly #jobs: JobStore;
  readonly #serverId: string;
  readonly #maxTtlMs: number;
  readonly #pollMs: number;
  readonly #pageSize: number;
  readonly #listeners = new Set<TaskStatusListener>();
  readonly #onEvent: (event: FlightEvent) => void;

  constructor(jobs: JobStore, options: DurableTaskStoreOptions) {
    this.#jobs = jobs;
    this.#serverId = options.serverId;
    this.#maxTtlMs = options.maxTtlMs ?? DAY_MS;
    this.#pollMs = options.defaultPollIntervalMs ?? 1_000;
    this.#pageSize = options.pageSize ?? 50;
    this.#onEvent = options.onEvent ?? (() => {});
    this.purgeExpired();
  }

  /** Subscribes to status changes made through this store; returns the unsubscribe function. */
  onStatusChange(listener: TaskStatusListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Deletes tasks whose ttl ran out after they ended; returns how many. */
  purgeExpired(): number {
    const result = this.#jobs.database.prepare(
      `DELETE FROM ai_jobs WHERE task_request IS NOT NULL AND task_expires_at_ms IS NOT NULL
         AND task_expires_at_ms <= ?`,
    ).run(this.#jobs.nowMs());
    return Number(result.changes);
  }

  createTask(
    taskParams: CreateTaskOptions,
    requestId: RequestId,
    request: Request,
    sessionId?: string,
  ): Promise<Task> {
    this.purgeExpired();
    const requested = taskParams.ttl;
    const ttlMs = Math.min(
      typeof requested === "number" && requested > 0 ? requested : this.#maxTtlMs,
      this.#maxTtlMs,
    );
    const pollIntervalMs = taskParams.pollInterval !== undefined && taskParams.pollInterval > 0
      ? taskParams.pollInterval
      : this.#pollMs;
    const workflowRunId = trustedId(taskParams.context, "workflowRunId");
    const traceId = trustedId(taskParams.context, "traceId");
    const job = this.#jobs.create({
      toolName: toolNameOf(request),
      mcpServerId: this.#serverId,
      mcpSessionId: sessionId ?? null,
      mcpCallId: requestId,
      mcpProgressToken: progressTokenOf(request),
      ...(workflowRunId ? { workflowRunId } : {}),
      ...(traceId ? { traceId } : {}),
      task: {
        request: JSON.parse(
          JSON.stringify({ method: request.method, params: request.params ?? {} }),
        ) as JsonValue,
        ttlMs,
        pollIntervalMs,
      },
    });
    this.#record(job.jobId, "working");
    return Promise.resolve(this.#taskOf(this.#row(job.jobId)!));
  }

  getTask(taskId: string, sessionId?: string): Promise<Task | null> {
    const row = this.#visibleRow(taskId, sessionId);
    return Promise.resolve(row ? this.#taskOf(row) : null);
  }

  storeTaskResult(
    taskId: string,
    status: "completed" | "failed",
    result: Result,
    sessionId?: string,
  ): Promise<void> {
    const row = this.#visibleRow(taskId, sessionId);
    if (!row) return Promise.reject(notFound(taskId));
    const db = this.#jobs.database;
    db.exec("BEGIN IMMEDIATE");
    try {
      if (!this.#jobs.setStatus(taskId, status)) {
        throw new Error(`Cannot store a result for task ${taskId}: it already ended`);
      }
      db.prepare("UPDATE ai_jobs SET task_result = ? WHERE job_id = ?").run(
        JSON.stringify(result),
        taskId,
      );
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      return Promise.reject(error);
    }
    this.#emit(taskId, status);
    return Promise.resolve();
  }

  getTaskResult(taskId: string, sessionId?: string): Promise<Result> {
    const row = this.#visibleRow(taskId, sessionId);
    if (!row) return Promise.reject(notFound(taskId));
    if (typeof row.task_result === "string") {
      return Promise.resolve(JSON.parse(row.task_result) as Result);
    }
    const job = jobFromRow(row);
    if (job.status === "interrupted" && job.error) return Promise.resolve(errorResult(job.error));
    if (job.status === "cancelled") {
      return Promise.resolve(errorResult(errorRecord(
        "Cancelled",
        `Task ${taskId} was cancelled before it produced a result`,
        { task_id: taskId, status: "cancelled" },
        null,
      )));
    }
    if (job.status === "failed") {
      return Promise.resolve(errorResult(
        job.error ?? errorRecord("InternalError", `Task ${taskId} failed`, { task_id: taskId }),
      ));
    }
    return Promise.reject(new Error(`Task ${taskId} has no result yet`));
  }

  updateTaskStatus(
    taskId: string,
    status: TaskStatus,
    statusMessage?: string,
    sessionId?: string,
  ): Promise<void> {
    const row = this.#visibleRow(taskId, sessionId);
    if (!row) return Promise.reject(notFound(taskId));
    const details = statusMessage === undefined ? {} : { statusMessage };
    if (!this.#jobs.setStatus(taskId, jobStatusOf(status), details)) {
      return Promise.reject(
        new Error(`Cannot move task ${taskId} from terminal status ${String(row.status)}`),
      );
    }
    this.#emit(taskId, status);
    return Promise.resolve();
  }

  listTasks(cursor?: string, sessionId?: string): Promise<{ tasks: Task[]; nextCursor?: string }> {
    // Probing owners costs one lock attempt per other live process; cheap next to a list.
    this.#jobs.sweepInterrupted();
    let after: { createdAt: string; jobId: string } | null = null;
    if (cursor !== undefined) {
      const anchor = this.#visibleRow(cursor, sessionId);
      if (!anchor) return Promise.reject(new Error(`Invalid cursor: ${cursor}`));
      after = { createdAt: String(anchor.created_at), jobId: cursor };
    }
    const rows = this.#jobs.database.prepare(
      `SELECT * FROM ai_jobs WHERE task_request IS NOT NULL AND mcp_server_id = ?1
         AND mcp_session_id IS ?2 AND (task_expires_at_ms IS NULL OR task_expires_at_ms > ?3)
         AND (?4 IS NULL OR created_at > ?4 OR (created_at = ?4 AND job_id > ?5))
       ORDER BY created_at, job_id LIMIT ?6`,
    ).all(
      this.#serverId,
      sessionId ?? null,
      this.#jobs.nowMs(),
      after?.createdAt ?? null,
      after?.jobId ?? "",
      this.#pageSize + 1,
    ) as Row[];
    const page = rows.slice(0, this.#pageSize).map((row) => this.#taskOf(row));
    const last = page[page.length - 1];
    return Promise.resolve(
      rows.length > this.#pageSize && last
        ? { tasks: page, nextCursor: last.taskId }
        : { tasks: page },
    );
  }

  /** The job behind a task, for the server's run handler (same visibility rules). */
  jobForTask(taskId: string, sessionId?: string): Job | null {
    const row = this.#visibleRow(taskId, sessionId);
    return row ? jobFromRow(row) : null;
  }

  #emit(taskId: string, status: TaskStatus): void {
    this.#record(taskId, status);
    for (const listener of this.#listeners) {
      try {
        listener(taskId, status);
      } catch {
        // A listener's failure must not undo a status change that is already durable.
      }
    }
  }

  #record(taskId: string, status: TaskStatus): void {
    const job = this.#jobs.get(taskId);
    try {
      this.#onEvent({
        kind: "mcp.task_status",
        source: "tasks",
        message: `task ${status}`,
        taskId,
        jobId: taskId,
        sessionId: job?.mcpSessionId ?? null,
        workflowRunId: job?.workflowRunId ?? null,
        traceId: job?.traceId ?? null,
        toolName: job?.toolName ?? null,
        payload: { status },
      });
    } catch {
      // The audit sink failing must not undo a durable status change.
    }
  }

  #row(taskId: string): Row | undefined {
    return this.#jobs.database.prepare(
      "SELECT * FROM ai_jobs WHERE job_id = ? AND task_request IS NOT NULL",
    ).get(taskId) as Row | undefined;
  }

  #visibleRow(taskId: string, sessionId: string | undefined): Row | undefined {
    let row = this.#row(taskId);
    if (!row) return undefined;
    if (row.mcp_server_id !== this.#serverId) return undefined;
    if ((row.mcp_session_id ?? null) !== (sessionId ?? null)) return undefined;
    const expires = row.task_expires_at_ms;
    if (typeof expires === "number" && expires <= this.#jobs.nowMs()) return undefined;
    const status = String(row.status) as JobStatus;
    if (!TERMINAL_JOB_STATUSES.has(status) && row.owner_id !== this.#jobs.ownerId) {
      // Another process runs (or ran) it: find out whether that process still lives.
      if (this.#jobs.sweepOwner(String(row.owner_id)).length > 0) row = this.#row(taskId) ?? row;
    }
    return row;
  }

  #taskOf(row: Row): Task {
    const job = jobFromRow(row);
    const task: Task = {
      taskId: job.jobId,
      status: taskStatusOf(job.status),
      ttl: typeof row.task_ttl_ms === "number" ? row.task_ttl_ms : null,
      createdAt: job.createdAt,
      lastUpdatedAt: job.updatedAt,
      pollInterval: typeof row.task_poll_interval_ms === "number"
        ? row.task_poll_interval_ms
        : this.#pollMs,
    };
    if (typeof row.task_status_message === "string") task.statusMessage = row.task_status_message;
    return task;
  }
}
