/**
 * The audit chain a serving process runs every request through, in order: readiness (the Flight
 * Recorder is open), the Gate (capability profile, deny by default, per-tool timeouts), the job
 * store (an `ai_jobs` row per long run) and the Flight Recorder (one event per call, result and
 * progress update).
 *
 * The recorder's Worker takes ~0.4 s to open DuckDB, so it opens while the client initializes:
 * `initialize` and `ping` go through at once and their events are kept until it is open; every
 * other request waits for it in `admit`. If it cannot open, every request but those two is
 * refused: nothing runs unaudited.
 *
 * Besides the Gate's decision for every request, the chain records what the recorder's own
 * observer leaves out: client notifications the server refused or acted on (a cancellation), and
 * requests other than tool calls and resource reads that ended in an error.
 *
 * @module
 */
import { type ErrorRecord, errorRecord, messageOf } from "../common/mod.ts";
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
import type {
  ObservedNotification,
  ObservedRequest,
  RequestCompletion,
  RequestObserver,
} from "./observer.ts";
import type { JobDescription, ServerMode } from "./types.ts";

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

/** Requests that never wait for the recorder (they run nothing; their events are kept). */
const UNBLOCKED_METHODS: ReadonlySet<string> = new Set(["initialize", "ping"]);

/** Events kept while the recorder opens, at most (it opens in well under a second). */
const MAX_EARLY_EVENTS = 1_000;

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
  let early: FlightEvent[] | null = [];
  const opening = openFlightRecorder({
    stateDir: options.stateDir,
    serverId: options.serverId,
    onWriteError: (message, dropped) =>
      log.operator("error", "flight recorder dropped events", { detail: message, dropped }),
  }).then(
    (opened) => {
      recorder = opened;
      for (const event of early ?? []) opened.record(event);
      early = null;
      return true;
    },
    (error: unknown) => {
      early = null;
      log.operator("error", "flight recorder could not open; refusing every request", {
        detail: messageOf(error),
      });
      return false;
    },
  );
  const record = (event: FlightEvent) => {
    if (recorder !== null) recorder.record(event);
    else if (early !== null && early.length < MAX_EARLY_EVENTS) early.push(event);
  };

  const jobObserver = taskAwareJobObserver(createJobObserver(jobs), jobs);
  const tasks = new DurableTaskStore(jobs, { serverId: options.serverId, onEvent: record });
  // Trusted ids for the recorder: the job of a request (or its task), and the job's workflow run.
  const correlate = (request: ObservedRequest) => {
    const jobId = jobObserver.jobIdFor(request);
    const job = jobId === null ? null : jobs.get(jobId);
    return {
      jobId,
      taskId: request.taskId ?? null,
      workflowRunId: job?.workflowRunId ?? null,
      traceId: job?.traceId ?? null,
    };
  };
  const readiness: RequestObserver = {
    async admit(request) {
      if (UNBLOCKED_METHODS.has(request.method)) return { allow: true };
      return (await opening) ? { allow: true } : { allow: false, error: auditUnavailable() };
    },
  };
  const leftovers = leftoverRecorder(record, (request) => correlate(request));
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
    leftovers(profile.id),
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

/** Why a notification was refused, for the event's message. */
const REFUSAL_TEXT: Readonly<Record<string, string>> = {
  unknown_request: "it names no request of this session that is still running",
  unhandled_method: "the server does not handle it",
};

/** Methods whose endings the recorder's own observer already records. */
const RECORDED_METHODS: ReadonlySet<string> = new Set(["tools/call", "resources/read"]);

/**
 * Records what the recorder's observer does not: each client notification the server refused
 * (`mcp.request_refused`) or acted on (`mcp.cancelled`, for a cancellation it passed on), and each
 * request of another method that ended in an error (`mcp.request_refused`, with the record). Denials
 * are left to the Gate, which records them as decisions.
 */
export function leftoverRecorder(
  record: (event: FlightEvent) => void,
  correlate: (request: ObservedRequest) => {
    jobId: string | null;
    taskId: string | null;
    workflowRunId: string | null;
    traceId: string | null;
  },
): (profileId: string) => RequestObserver {
  return (profileId) => ({
    finished(request: ObservedRequest, completion: RequestCompletion) {
      if (RECORDED_METHODS.has(request.method)) return;
      if (completion.outcome === "ok" || completion.outcome === "denied") return;
      const ids = correlate(request);
      record({
        kind: "mcp.request_refused",
        source: "server",
        level: "warning",
        message: completion.error?.message ?? `${request.method} ended with ${completion.outcome}`,
        sessionId: request.sessionId,
        ...ids,
        capabilityProfileId: profileId,
        durationMs: completion.durationMs,
        errorCode: completion.error?.kind ?? null,
        payload: { method: request.method, outcome: completion.outcome },
        clientClaims: { request_id: request.requestId },
      });
    },
    notified(notification: ObservedNotification) {
      const claims = {
        ...(notification.requestId === undefined ? {} : { request_id: notification.requestId }),
        ...(notification.clientReason === undefined ? {} : { reason: notification.clientReason }),
      };
      const accepted = notification.verdict === "accepted";
      record({
        kind: accepted ? "mcp.cancelled" : "mcp.request_refused",
        source: "server",
        level: accepted ? "notice" : "warning",
        message: accepted
          ? "cancellation of a running request passed on"
          : `${notification.method} refused: ${
            REFUSAL_TEXT[notification.reason ?? ""] ?? "ignored"
          }`,
        sessionId: notification.sessionId,
        capabilityProfileId: profileId,
        payload: {
          method: notification.method,
          verdict: notification.verdict,
          reason: notification.reason,
        },
        clientClaims: claims,
      });
    },
  });
}

/**
 * The job observer, minus task-augmented calls: their job is the task, which the task store
 * creates and ends, so the call that only creates it must not open (and complete) a second job.
 * Progress a task's background work reports moves the task's own row.
 */
export function taskAwareJobObserver(
  inner: JobObserver,
  jobs: JobStore,
): JobObserver & RequestObserver & Required<Pick<RequestObserver, "described">> {
  // A task's job is the task; any other request's is the one the inner observer opened for it.
  const jobIdFor = (request: ObservedRequest) => request.taskId ?? inner.jobIdFor(request);
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
    described(request: ObservedRequest, description: JobDescription) {
      // The sandbox resolved these paths; they replace the raw arguments stored at admission.
      const jobId = jobIdFor(request);
      if (jobId === null) return;
      jobs.setDirectories(jobId, {
        caseDir: description.case_dir ?? null,
        outputDir: description.output_dir ?? null,
      });
    },
    jobIdFor,
    jobActivity: (jobId) => inner.jobActivity(jobId),
  };
}
