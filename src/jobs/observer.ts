/**
 * The job store as a request observer for the server's hook: an admitted call of a long-running
 * tool (`cobre/run` by default) gets an `ai_jobs` row, each progress update moves it, and the end
 * of the request sets its final status. Structurally typed against the server's observer.
 *
 * Register it after the Gate (no job for a denied call) and before the recorder (so the recorder
 * can correlate events with `jobIdFor`). Task-augmented calls already have a job (the task).
 *
 * @module
 */
import type { ErrorRecord, JsonValue } from "../common/mod.ts";
import type { JobActivity, JobStatus, JobStore } from "./job_store.ts";

/** What the job store reads from a request (a subset of the server's `ObservedRequest`). */
export interface JobObservedRequest {
  readonly method: string;
  readonly requestId: string | number;
  readonly sessionId: string;
  readonly serverId: string;
  readonly progressToken: string | number | null;
  readonly tool: { readonly name: string; readonly arguments: unknown } | null;
}

/** What identifies a request in flight. */
export interface RequestKey {
  readonly sessionId: string;
  readonly requestId: string | number;
}

/** The observer the server registers, plus the lookup the recorder uses. */
export interface JobObserver {
  admit(request: JobObservedRequest): { allow: true };
  finished(
    request: JobObservedRequest,
    completion: { readonly outcome: string; readonly error: ErrorRecord | null },
  ): void;
  progress(
    request: JobObservedRequest,
    update: {
      readonly progress: number;
      readonly total?: number | null;
      readonly metadata?: Record<string, JsonValue>;
    },
    sent: boolean,
  ): void;
  /** The job of a request in flight or just finished, or null. */
  jobIdFor(request: RequestKey): string | null;
  /** Whether a job of the store may still be writing (`JobStore.activity`). */
  jobActivity(jobId: string): JobActivity;
}

const STATUS_OF_OUTCOME: Record<string, JobStatus> = {
  ok: "completed",
  cancelled: "cancelled",
};

function stringArg(args: unknown, key: string): string | null {
  if (typeof args !== "object" || args === null) return null;
  const value = (args as Record<string, unknown>)[key];
  return typeof value === "string" ? value.slice(0, 4096) : null;
}

/** Builds the job observer for the tools in `tools` (default: `cobre/run`). */
export function createJobObserver(
  jobs: JobStore,
  tools: readonly string[] = ["cobre/run"],
): JobObserver {
  const inFlight = new Map<string, string>();
  // Observers later in the list (the recorder) still ask for the job when the request ends.
  const recent = new Map<string, string>();
  const RECENT_MAX = 1_024;
  const key = (request: RequestKey) => `${request.sessionId}\u0000${String(request.requestId)}`;
  return {
    admit(request) {
      if (request.method !== "tools/call" || request.tool === null) return { allow: true };
      if (!tools.includes(request.tool.name)) return { allow: true };
      const job = jobs.create({
        toolName: request.tool.name,
        mcpServerId: request.serverId,
        mcpSessionId: request.sessionId,
        mcpCallId: request.requestId,
        mcpProgressToken: request.progressToken,
        caseDir: stringArg(request.tool.arguments, "case_dir"),
        outputDir: stringArg(request.tool.arguments, "output_dir"),
      });
      inFlight.set(key(request), job.jobId);
      return { allow: true };
    },
    finished(request, completion) {
      const jobId = inFlight.get(key(request));
      if (jobId === undefined) return;
      inFlight.delete(key(request));
      recent.set(key(request), jobId);
      if (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value!);
      const status = STATUS_OF_OUTCOME[completion.outcome] ?? "failed";
      jobs.setStatus(jobId, status, { error: completion.error });
    },
    progress(request, update) {
      const jobId = inFlight.get(key(request));
      if (jobId === undefined) return;
      jobs.updateProgress(jobId, {
        progress: update.progress,
        total: update.total ?? null,
        ...(update.metadata === undefined ? {} : { lastUpdate: update.metadata }),
      });
    },
    jobIdFor(request) {
      return inFlight.get(key(request)) ?? recent.get(key(request)) ?? null;
    },
    jobActivity: (jobId) => jobs.activity(jobId),
  };
}
