/**
 * The durable job store: one `ai_jobs` row per long request (a `cobre/run`, or on the host side a
 * call it forwarded). SQLite in WAL mode, one connection (the only writer) per process.
 *
 * Transport-agnostic on purpose: the server and the host both use it, and neither the SDK nor the
 * protocol appear here; progress tokens are opaque `string | number` values.
 *
 * Liveness: each store holds an owner lock (see `liveness.ts`). Jobs left `queued`, `running` or
 * `input_required` by an owner that no longer holds its lock become `interrupted` when any store
 * opens or sweeps, so no job stays `running` after its process died.
 *
 * @module
 */
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import { join } from "node:path";
import {
  CobreError,
  type ErrorRecord,
  errorRecord,
  type JsonValue,
  messageOf,
} from "../common/mod.ts";
import type { FlightEvent } from "../recorder/mod.ts";
import { randomId128 } from "./ids.ts";
import { holdOwnerLock, isOwnerAlive, type OwnerLock } from "./liveness.ts";
import { SCHEMA_V1, SCHEMA_VERSION } from "./schema.ts";

/** Every status a job can have. */
export const JOB_STATUSES = [
  "queued",
  "running",
  "input_required",
  "completed",
  "failed",
  "cancelled",
  "interrupted",
] as const;

export type JobStatus = typeof JOB_STATUSES[number];

/** Statuses a job never leaves. */
export const TERMINAL_JOB_STATUSES: ReadonlySet<JobStatus> = new Set([
  "completed",
  "failed",
  "cancelled",
  "interrupted",
]);

const ACTIVE = "('queued','running','input_required')";

/** Why a dead process's active jobs are interrupted. */
const OWNER_EXITED = "the process running it exited before it finished";

/** An MCP progress token: opaque, and `1` is not the same token as `"1"`. */
export type ProgressToken = string | number;

/** One job as stored. */
export interface Job {
  readonly jobId: string;
  readonly workflowRunId: string;
  readonly traceId: string;
  readonly status: JobStatus;
  readonly toolName: string;
  readonly caseDir: string | null;
  readonly outputDir: string | null;
  readonly mcpServerId: string;
  readonly mcpSessionId: string | null;
  readonly mcpCallId: string | null;
  readonly mcpProgressToken: ProgressToken | null;
  readonly progress: number | null;
  readonly total: number | null;
  readonly lastUpdate: JsonValue | null;
  readonly error: ErrorRecord | null;
  readonly ownerId: string;
  /** ISO 8601 UTC. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The MCP Tasks part of a job created by a task-augmented request. */
export interface NewTaskFields {
  readonly request: JsonValue;
  readonly ttlMs: number | null;
  readonly pollIntervalMs: number;
}

/** What `create` needs; ids the caller leaves out are minted here (never taken from a client). */
export interface NewJob {
  readonly toolName: string;
  readonly mcpServerId: string;
  readonly status?: "queued" | "running";
  readonly jobId?: string;
  readonly workflowRunId?: string;
  readonly traceId?: string;
  readonly caseDir?: string | null;
  readonly outputDir?: string | null;
  readonly mcpSessionId?: string | null;
  readonly mcpCallId?: string | number | null;
  readonly mcpProgressToken?: ProgressToken | null;
  readonly task?: NewTaskFields;
}

/** A progress step for a job. */
export interface JobProgress {
  readonly progress: number;
  readonly total?: number | null;
  readonly lastUpdate?: JsonValue;
}

/**
 * Whether a job may still be writing: `active` while it runs (an active status, or a finished
 * status on a job of another process that is still alive), `ended` once nothing of it runs any
 * more, `unknown` when this store has no such job.
 */
export type JobActivity = "active" | "ended" | "unknown";

/** Narrows a token lookup to one server and/or one session. */
export interface TokenScope {
  readonly mcpServerId?: string;
  readonly mcpSessionId?: string | null;
}

/** Result of `reportProgress`: a progress whose token matches no active job is refused. */
export type ProgressReport =
  | { readonly ok: true; readonly job: Job }
  | {
    readonly ok: false;
    readonly reason: "progress_token_mismatch";
    readonly token: ProgressToken;
  };

/** Options for `openJobStore`. */
export interface OpenJobStoreOptions {
  /** Server state directory (outside the allowed dirs); created if missing. */
  readonly stateDir: string;
  /** Clock in ms since the epoch; tests pass a fake one. */
  readonly now?: () => number;
  /**
   * Receives `job.interrupted` for each job found abandoned by a dead process and
   * `mcp.progress_token_mismatch` for each refused progress (usually `recorder.record`).
   */
  readonly onEvent?: (event: FlightEvent) => void;
}

type Cell = SQLInputValue | undefined;
type Row = Record<string, Cell>;

/** The record stored for a job whose process died before it finished. */
export function interruptedRecord(jobId: string, why: string): ErrorRecord {
  return errorRecord(
    "InternalError",
    `Job ${jobId} was interrupted: ${why}`,
    { job_id: jobId, status: "interrupted" },
    "Start the run again; an interrupted run publishes no outputs.",
  );
}

function encodeToken(token: ProgressToken | null | undefined): string | null {
  return token === null || token === undefined ? null : JSON.stringify(token);
}

function decodeToken(text: Cell): ProgressToken | null {
  if (typeof text !== "string") return null;
  const value: unknown = JSON.parse(text);
  return typeof value === "string" || typeof value === "number" ? value : null;
}

function parseJson<T>(text: Cell): T | null {
  return typeof text === "string" ? JSON.parse(text) as T : null;
}

function str(value: Cell): string {
  return String(value);
}

function strOrNull(value: Cell): string | null {
  return value === null || value === undefined ? null : String(value);
}

function numOrNull(value: Cell): number | null {
  return typeof value === "number" ? value : typeof value === "bigint" ? Number(value) : null;
}

/** Maps a stored row to a `Job`. */
export function jobFromRow(row: Row): Job {
  return {
    jobId: str(row.job_id),
    workflowRunId: str(row.workflow_run_id),
    traceId: str(row.trace_id),
    status: str(row.status) as JobStatus,
    toolName: str(row.tool_name),
    caseDir: strOrNull(row.case_dir),
    outputDir: strOrNull(row.output_dir),
    mcpServerId: str(row.mcp_server_id),
    mcpSessionId: strOrNull(row.mcp_session_id),
    mcpCallId: strOrNull(row.mcp_call_id),
    mcpProgressToken: decodeToken(row.mcp_progress_token),
    progress: numOrNull(row.progress),
    total: numOrNull(row.total),
    lastUpdate: parseJson<JsonValue>(row.last_update),
    error: parseJson<ErrorRecord>(row.error),
    ownerId: str(row.owner_id),
    createdAt: str(row.created_at),
    updatedAt: str(row.updated_at),
  };
}

function stateDirError(stateDir: string, error: unknown): CobreError {
  const detail = messageOf(error);
  return new CobreError(
    errorRecord(
      "InternalError",
      `The job store cannot use state directory "${stateDir}": ${detail}`,
      { state_dir: stateDir, detail },
      "Give the server a writable state directory with free space (--state-dir).",
    ),
  );
}

/** The durable job store; see the module doc. */
export class JobStore {
  readonly ownerId: string;
  /** Jobs this open turned from active to `interrupted` (their owners had died). */
  readonly interruptedAtOpen: readonly Job[];
  readonly #db: DatabaseSync;
  readonly #lock: OwnerLock;
  readonly #ownersDir: string;
  readonly #now: () => number;
  readonly #onEvent: (event: FlightEvent) => void;

  /** Use `openJobStore`. */
  constructor(
    db: DatabaseSync,
    lock: OwnerLock,
    ownersDir: string,
    options: { now?: () => number; onEvent?: (event: FlightEvent) => void },
  ) {
    this.#db = db;
    this.#lock = lock;
    this.ownerId = lock.ownerId;
    this.#ownersDir = ownersDir;
    this.#now = options.now ?? Date.now;
    this.#onEvent = options.onEvent ?? (() => {});
    this.interruptedAtOpen = this.sweepInterrupted();
  }

  #emit(event: FlightEvent): void {
    try {
      this.#onEvent(event);
    } catch {
      // The audit sink failing must not fail the job store.
    }
  }

  /** The SQLite connection, for the task store in this folder only (not exported from mod.ts). */
  get database(): DatabaseSync {
    return this.#db;
  }

  /** Milliseconds since the epoch from the store's clock. */
  nowMs(): number {
    return this.#now();
  }

  /** Current time as ISO 8601 UTC. */
  nowIso(): string {
    return new Date(this.#now()).toISOString();
  }

  /** Inserts a new job and returns it. */
  create(job: NewJob): Job {
    const now = this.nowIso();
    const jobId = job.jobId ?? randomId128();
    const ttlMs = job.task?.ttlMs ?? null;
    this.#db.prepare(
      `INSERT INTO ai_jobs (job_id, workflow_run_id, trace_id, status, tool_name, case_dir,
         output_dir, mcp_server_id, mcp_session_id, mcp_call_id, mcp_progress_token, owner_id,
         created_at, updated_at, task_request, task_ttl_ms, task_poll_interval_ms,
         task_expires_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
    ).run(
      jobId,
      job.workflowRunId ?? randomId128(),
      job.traceId ?? randomId128(),
      job.status ?? "running",
      job.toolName,
      job.caseDir ?? null,
      job.outputDir ?? null,
      job.mcpServerId,
      job.mcpSessionId ?? null,
      job.mcpCallId === null || job.mcpCallId === undefined ? null : String(job.mcpCallId),
      encodeToken(job.mcpProgressToken),
      this.ownerId,
      now,
      now,
      job.task ? JSON.stringify(job.task.request) : null,
      job.task ? ttlMs : null,
      job.task ? job.task.pollIntervalMs : null,
    );
    return this.get(jobId)!;
  }

  /** The job, or null when no such id exists. */
  get(jobId: string): Job | null {
    const row = this.#db.prepare("SELECT * FROM ai_jobs WHERE job_id = ?").get(jobId) as
      | Row
      | undefined;
    return row ? jobFromRow(row) : null;
  }

  /**
   * The `JobActivity` of `jobId`. A job left active by a dead process is interrupted first (as
   * `sweepOwner` does). A finished job of this process counts as ended: the caller must know that
   * none of its own work for that job is still in flight (a cancelled task's tool may be).
   */
  activity(jobId: string): JobActivity {
    const job = this.get(jobId);
    if (job === null) return "unknown";
    if (job.ownerId === this.ownerId) {
      return TERMINAL_JOB_STATUSES.has(job.status) ? "ended" : "active";
    }
    // Another process's job is ended only once that process is gone, whatever its row says; its
    // jobs still marked active are interrupted then, so every one of them is finished.
    if (isOwnerAlive(this.#ownersDir, job.ownerId)) return "active";
    this.#interruptOwner(job.ownerId, OWNER_EXITED);
    return "ended";
  }

  /** Lists jobs, newest first. */
  list(filter: { status?: JobStatus; toolName?: string; limit?: number } = {}): Job[] {
    const rows = this.#db.prepare(
      `SELECT * FROM ai_jobs WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR tool_name = ?2)
       ORDER BY created_at DESC, job_id LIMIT ?3`,
    ).all(filter.status ?? null, filter.toolName ?? null, filter.limit ?? 100) as Row[];
    return rows.map(jobFromRow);
  }

  /**
   * The active job (queued, running or waiting for input) that owns `token` within `scope`, or
   * null. Terminal jobs never match: a token is valid only while its request runs.
   */
  findActiveByProgressToken(token: ProgressToken, scope: TokenScope = {}): Job | null {
    const session = scope.mcpSessionId;
    const row = this.#db.prepare(
      `SELECT * FROM ai_jobs WHERE mcp_progress_token = ?1 AND status IN ${ACTIVE}
         AND (?2 IS NULL OR mcp_server_id = ?2)
         AND (?3 = 0 OR mcp_session_id IS ?4)
       ORDER BY created_at DESC LIMIT 1`,
    ).get(
      encodeToken(token),
      scope.mcpServerId ?? null,
      session === undefined ? 0 : 1,
      session ?? null,
    ) as Row | undefined;
    return row ? jobFromRow(row) : null;
  }

  /**
   * Applies a progress step to the active job that owns `token`. A token that matches no active
   * job is refused as `progress_token_mismatch` and changes nothing.
   */
  reportProgress(token: ProgressToken, step: JobProgress, scope: TokenScope = {}): ProgressReport {
    const job = this.findActiveByProgressToken(token, scope);
    const updated = job === null ? null : this.updateProgress(job.jobId, step);
    if (updated !== null) return { ok: true, job: updated };
    this.#emit({
      kind: "mcp.progress_token_mismatch",
      source: "jobs",
      level: "warning",
      message: "progress refused: its token matches no active job",
      sessionId: scope.mcpSessionId ?? null,
      payload: { progress: step.progress, total: step.total ?? null },
      clientClaims: { progressToken: token, mcp_server_id: scope.mcpServerId ?? null },
    });
    return { ok: false, reason: "progress_token_mismatch", token };
  }

  /** Records a progress step on an active job; null when the job is unknown or finished. */
  updateProgress(jobId: string, step: JobProgress): Job | null {
    const result = this.#db.prepare(
      `UPDATE ai_jobs SET progress = ?, total = COALESCE(?, total), last_update = COALESCE(?, last_update),
         updated_at = ? WHERE job_id = ? AND status IN ${ACTIVE}`,
    ).run(
      step.progress,
      step.total ?? null,
      step.lastUpdate === undefined ? null : JSON.stringify(step.lastUpdate),
      this.nowIso(),
      jobId,
    );
    return Number(result.changes) === 1 ? this.get(jobId) : null;
  }

  /** Sets where a run reads and writes, once the sandbox resolved them. */
  setDirectories(
    jobId: string,
    dirs: { caseDir?: string | null; outputDir?: string | null },
  ): void {
    this.#db.prepare(
      `UPDATE ai_jobs SET case_dir = COALESCE(?, case_dir), output_dir = COALESCE(?, output_dir),
         updated_at = ? WHERE job_id = ?`,
    ).run(dirs.caseDir ?? null, dirs.outputDir ?? null, this.nowIso(), jobId);
  }

  /**
   * Moves an active job to `status`. Returns false (and changes nothing) when the job is unknown
   * or already terminal: a cancelled job cannot later complete, nor a completed one fail.
   */
  setStatus(
    jobId: string,
    status: JobStatus,
    details: { error?: ErrorRecord | null; statusMessage?: string | null } = {},
  ): boolean {
    const result = this.#db.prepare(
      `UPDATE ai_jobs SET status = ?, error = COALESCE(?, error),
         task_status_message = COALESCE(?, task_status_message), updated_at = ?,
         task_expires_at_ms = CASE WHEN task_ttl_ms IS NOT NULL AND ? THEN ? + task_ttl_ms
                                   ELSE task_expires_at_ms END
       WHERE job_id = ? AND status IN ${ACTIVE}`,
    ).run(
      status,
      details.error ? JSON.stringify(details.error) : null,
      details.statusMessage ?? null,
      this.nowIso(),
      TERMINAL_JOB_STATUSES.has(status) ? 1 : 0,
      this.#now(),
      jobId,
    );
    return Number(result.changes) === 1;
  }

  /**
   * Marks every active job whose owner process is gone as `interrupted` and returns those jobs.
   * Called on open; the server may call it again (e.g. before listing tasks).
   */
  sweepInterrupted(): Job[] {
    const owners = this.#db.prepare(
      `SELECT DISTINCT owner_id FROM ai_jobs WHERE status IN ${ACTIVE} AND owner_id != ?`,
    ).all(this.ownerId) as Row[];
    return owners.flatMap(({ owner_id }) => this.sweepOwner(str(owner_id)));
  }

  /** Like `sweepInterrupted`, for one owner: interrupts its active jobs if its process died. */
  sweepOwner(ownerId: string): Job[] {
    if (ownerId === this.ownerId || isOwnerAlive(this.#ownersDir, ownerId)) return [];
    return this.#interruptOwner(ownerId, OWNER_EXITED);
  }

  #interruptOwner(ownerId: string, why: string): Job[] {
    const rows = this.#db.prepare(
      `SELECT job_id FROM ai_jobs WHERE owner_id = ? AND status IN ${ACTIVE}`,
    ).all(ownerId) as Row[];
    const jobs: Job[] = [];
    for (const { job_id } of rows) {
      const jobId = str(job_id);
      const record = interruptedRecord(jobId, why);
      if (this.setStatus(jobId, "interrupted", { error: record, statusMessage: record.message })) {
        const job = this.get(jobId)!;
        jobs.push(job);
        this.#emit({
          kind: "job.interrupted",
          source: "jobs",
          level: "warning",
          message: record.message,
          jobId,
          sessionId: job.mcpSessionId,
          workflowRunId: job.workflowRunId,
          traceId: job.traceId,
          toolName: job.toolName,
          errorCode: record.kind,
        });
      }
    }
    return jobs;
  }

  /** Interrupts this owner's active jobs, releases the owner lock and closes the database. */
  close(): void {
    if (!this.#db.isOpen) return;
    this.#interruptOwner(this.ownerId, "the server shut down before it finished");
    this.#lock.release();
    this.#db.close();
  }
}

/**
 * Opens (creating if needed) `<stateDir>/jobs.sqlite` and takes this process's owner lock.
 * Throws `CobreError` (`InternalError`) naming the state directory when it is unusable, so the
 * server can exit rather than run without durable jobs.
 */
export function openJobStore(options: OpenJobStoreOptions): JobStore {
  const { stateDir } = options;
  const ownersDir = join(stateDir, "owners");
  let db: DatabaseSync | null = null;
  let lock: OwnerLock | null = null;
  try {
    Deno.mkdirSync(ownersDir, { recursive: true });
    db = new DatabaseSync(join(stateDir, "jobs.sqlite"), { timeout: 5_000 });
    const mode = db.prepare("PRAGMA journal_mode=WAL").get() as Row | undefined;
    if (mode?.journal_mode !== "wal") throw new Error("SQLite refused WAL mode");
    // NORMAL in WAL mode survives a process crash; only an OS crash may lose the last commits.
    db.exec("PRAGMA synchronous=NORMAL");
    db.exec("BEGIN IMMEDIATE");
    db.exec(SCHEMA_V1);
    db.exec(`PRAGMA user_version=${SCHEMA_VERSION}`);
    db.exec("COMMIT");
    lock = holdOwnerLock(ownersDir, randomId128());
    return new JobStore(db, lock, ownersDir, {
      ...(options.now ? { now: options.now } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
  } catch (error) {
    lock?.release();
    if (db?.isOpen) db.close();
    throw stateDirError(stateDir, error);
  }
}
