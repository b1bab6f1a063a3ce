/**
 * The audit chain a serving process runs every request through, in order: readiness (the Flight
 * Recorder is open), the Gate (capability profile, deny by default, per-tool timeouts), the job
 * store (an `ai_jobs` row per long run) and the Flight Recorder (one event per call, result and
 * progress update).
 *
 * The recorder's Worker takes ~0.4 s to open DuckDB, so it opens while the client initializes;
 * requests wait for it in `admit`. If it cannot open, every request is refused: nothing runs
 * unaudited.
 *
 * @module
 */
import { type ErrorRecord, errorRecord } from "../common/mod.ts";
import {
  createJobObserver,
  DurableTaskStore,
  type JobObserver,
  type JobStore,
  openJobStore,
} from "../jobs/mod.ts";
import {
  createRecorderObserver,
  type FlightEvent,
  type FlightRecorder,
  openFlightRecorder,
} from "../recorder/mod.ts";
import {
  type CapabilityProfile,
  createGateObserver,
  type Sandbox,
  selectProfile,
} from "../security/mod.ts";
import type { ServerLog } from "./logger.ts";
import type { ObservedRequest, RequestObserver } from "./observer.ts";
import type { ServerMode } from "./types.ts";

/** What the chain needs from the serving process. */
export interface AuditChainOptions {
  stateDir: string;
  serverId: string;
  sandbox: Sandbox;
  mode: ServerMode;
  log: ServerLog;
}

/** The observers to register, and how to shut the chain down after the session. */
export interface AuditChain {
  observers: RequestObserver[];
  /** The same chain with the Gate on another profile (one per HTTP session that asks). */
  observersFor(profile: CapabilityProfile): RequestObserver[];
  /** Resolves once the recorder is open (or has failed to open). */
  ready: Promise<void>;
  /** Records an event from outside the request hook (e.g. the ref registry's releases). */
  record(event: FlightEvent): void;
  /** MCP tasks, durable in the job store (a task is a job). */
  tasks: DurableTaskStore;
  /** Flushes and closes the recorder and the job store. */
  close(): Promise<void>;
}

function auditUnavailable(): ErrorRecord {
  return errorRecord(
    "InternalError",
    "The server's audit log is unavailable, so it accepts no requests.",
    {},
    "The operator should check the server's stderr and its state directory.",
  );
}

/** Opens the job store now and the recorder in the background; see the module doc. */
export function openAuditChain(options: AuditChainOptions): AuditChain {
  const { log } = options;
  const jobs: JobStore = openJobStore({ stateDir: options.stateDir });
  let recorder: FlightRecorder | null = null;
  const opening = openFlightRecorder({
    stateDir: options.stateDir,
    serverId: options.serverId,
    onWriteError: (message, dropped) =>
      log.operator("error", "flight recorder dropped events", { detail: message, dropped }),
  }).then(
    (opened) => {
      recorder = opened;
      return true;
    },
    (error: unknown) => {
      log.operator("error", "flight recorder could not open; refusing every request", {
        detail: error instanceof Error ? error.message : String(error),
      });
      return false;
    },
  );
  const record = (event: FlightEvent) => {
    recorder?.record(event);
  };

  const jobObserver = taskAwareJobObserver(createJobObserver(jobs), jobs);
  const tasks = new DurableTaskStore(jobs, { serverId: options.serverId, onEvent: record });
  // Trusted ids for the recorder: the job of a request (or its task), and the job's workflow run.
  const correlate = (request: ObservedRequest) => {
    const jobId = request.taskId ?? jobObserver.jobIdFor(request);
    const job = jobId === null ? null : jobs.get(jobId);
    return {
      jobId,
      taskId: request.taskId ?? null,
      workflowRunId: job?.workflowRunId ?? null,
      traceId: job?.traceId ?? null,
    };
  };
  const readiness: RequestObserver = {
    async admit() {
      return (await opening) ? { allow: true } : { allow: false, error: auditUnavailable() };
    },
  };
  // One chain per profile, sharing the recorder and the job store: HTTP sessions may each run
  // under their own profile.
  const observersFor = (profile: CapabilityProfile): RequestObserver[] => [
    readiness,
    createGateObserver({
      context: { profile, mode: options.mode },
      // Paths may name outputs that do not exist yet; the sandbox still refuses anything outside.
      resolvePath: (path) => options.sandbox.resolveForCreate(path),
      record,
    }),
    jobObserver,
    createRecorderObserver(record, {
      correlate: (request) => correlate(request as ObservedRequest),
      profileId: () => profile.id,
    }),
  ];
  return {
    observers: observersFor(selectProfile(options.mode, options.mode)),
    observersFor,
    ready: opening.then(() => {}),
    record,
    tasks,
    async close() {
      await opening;
      try {
        await recorder?.close();
      } finally {
        jobs.close();
      }
    },
  };
}

/**
 * The job observer, minus task-augmented calls: their job is the task, which the task store
 * creates and ends, so the call that only creates it must not open (and complete) a second job.
 * Progress a task's background work reports moves the task's own row.
 */
export function taskAwareJobObserver(
  inner: JobObserver,
  jobs: JobStore,
): JobObserver & RequestObserver {
  return {
    admit: (request: ObservedRequest) =>
      request.taskAugmented ? { allow: true as const } : inner.admit(request),
    finished(request: ObservedRequest, completion) {
      if (!request.taskAugmented) inner.finished(request, completion);
    },
    progress(request: ObservedRequest, update, sent) {
      if (request.taskId === undefined) return inner.progress(request, update, sent);
      jobs.updateProgress(request.taskId, {
        progress: update.progress,
        total: update.total ?? null,
        ...(update.metadata === undefined ? {} : { lastUpdate: update.metadata }),
      });
    },
    jobIdFor: (request) => inner.jobIdFor(request),
  };
}
