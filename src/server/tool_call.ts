/**
 * Runs one `tools/call` for a known tool: write-mode check, argument validation, the handler under
 * its timeout and the request's abort signal, and the result check against the output schema.
 * Every failure becomes an error record; nothing a handler throws escapes as a JSON-RPC error.
 *
 * @module
 */
import type { CallToolResult } from "./sdk.ts";
import { type ErrorRecord, errorRecord } from "../common/mod.ts";
import type { JobActivity } from "../jobs/mod.ts";
import type { ServerLog } from "./logger.ts";
import type { ObservedRequest, RequestObserver, RequestOutcome } from "./observer.ts";
import { reportDescribed, reportProgress } from "./observer.ts";
import { progressSender, type ProgressSink } from "./progress.ts";
import { type RegisteredTool, WRITE_DISABLED_MESSAGE } from "./tool_registry.ts";
import { recordOf, toolFailure, toolSuccess } from "./tool_results.ts";
import type { ClientLogSink } from "./logger.ts";
import type { ArtifactLink, ServerMode, ToolContext, ToolSandbox } from "./types.ts";
import type { SessionRefs } from "./resources/session_refs.ts";

/** What stays the same for every call of a session. */
export interface ToolCallEnvironment {
  sandbox: ToolSandbox;
  mode: ServerMode;
  log: ServerLog;
  observers: readonly RequestObserver[];
  sessionId: string;
  serverId: string;
  /**
   * Aborted when the server shuts down (SIGTERM). Handlers see their signal aborted but may still
   * return a partial result (spec SS2.2: `cobre/run` checkpoints and reports what it has); the
   * shutdown's grace period bounds how long the server waits for it.
   */
  shutdownSignal: AbortSignal;
  /** The session's `ref://` references; absent or null when the server keeps none. */
  refs?: SessionRefs | null;
}

/** What one request brings: its arguments and the channels back to its caller. */
export interface ToolCallRequest {
  arguments: unknown;
  signal: AbortSignal;
  /** The effective timeout after the Gate's verdict; null for none. */
  timeoutMs: number | null;
  sendProgress: ProgressSink;
  sendLog: ClientLogSink;
}

/** The result for the client and what observers are told about it. */
export interface ToolCallOutcome {
  result: CallToolResult;
  outcome: RequestOutcome;
  error: ErrorRecord | null;
}

/**
 * The job store's view of requests, as the job observer offers it. Found among the observers by
 * what it offers: the server's observer list is open-ended and the job store is one of them.
 */
interface JobLookup {
  jobIdFor(request: ObservedRequest): string | null;
  jobActivity(jobId: string): JobActivity;
}

function jobLookupIn(observers: readonly RequestObserver[]): JobLookup | null {
  for (const observer of observers) {
    const candidate = observer as Partial<JobLookup>;
    if (typeof candidate.jobIdFor === "function" && typeof candidate.jobActivity === "function") {
      return candidate as JobLookup;
    }
  }
  return null;
}

type Settled =
  | { kind: "returned"; value: object }
  | { kind: "threw"; error: unknown }
  | { kind: "timeout" }
  | { kind: "cancelled" };

function failed(outcome: RequestOutcome, error: ErrorRecord): ToolCallOutcome {
  return { result: toolFailure(error), outcome, error };
}

/**
 * Runs the handler until it settles, the timeout passes or the request is aborted, whichever
 * comes first. The handler's own signal is aborted in the latter two cases so it can stop work.
 */
async function runBounded(
  run: (signal: AbortSignal) => Promise<object>,
  requestSignal: AbortSignal,
  shutdownSignal: AbortSignal,
  timeoutMs: number | null,
): Promise<Settled> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onRequestAbort: (() => void) | undefined;
  const onShutdown = () => controller.abort(shutdownSignal.reason);
  if (shutdownSignal.aborted) onShutdown();
  else shutdownSignal.addEventListener("abort", onShutdown, { once: true });
  const stopped = new Promise<Settled>((resolve) => {
    onRequestAbort = () => {
      controller.abort(requestSignal.reason);
      resolve({ kind: "cancelled" });
    };
    if (requestSignal.aborted) onRequestAbort();
    else requestSignal.addEventListener("abort", onRequestAbort, { once: true });
    if (timeoutMs !== null) {
      timer = setTimeout(() => {
        controller.abort(new DOMException("The tool's timeout passed", "TimeoutError"));
        resolve({ kind: "timeout" });
      }, timeoutMs);
    }
  });
  // Never rejects, so a handler that fails after its timeout cannot become an unhandled rejection.
  const settled = Promise.resolve()
    .then(() => run(controller.signal))
    .then(
      (value): Settled => ({ kind: "returned", value }),
      (error): Settled => ({ kind: "threw", error }),
    );
  try {
    return await Promise.race([settled, stopped]);
  } finally {
    clearTimeout(timer);
    if (onRequestAbort) requestSignal.removeEventListener("abort", onRequestAbort);
    shutdownSignal.removeEventListener("abort", onShutdown);
  }
}

/**
 * What refuses a call before its handler runs: a write tool on a read-only server (`denied`),
 * arguments outside the tool's input schema (`invalid-arguments`). Otherwise the arguments as
 * checked (defaults filled in).
 */
export function checkCall(
  mode: ServerMode,
  tool: RegisteredTool,
  args: unknown,
):
  | { ok: true; args: Record<string, unknown> }
  | { ok: false; outcome: "denied" | "invalid-arguments"; error: ErrorRecord } {
  const { definition } = tool;
  if (definition.access === "write" && mode === "read-only") {
    return {
      ok: false,
      outcome: "denied",
      error: errorRecord("WriteDisabled", WRITE_DISABLED_MESSAGE, { tool: definition.name }),
    };
  }
  const checked = tool.validators.checkArguments(args);
  return checked.ok ? checked : { ok: false, outcome: "invalid-arguments", error: checked.error };
}

/** Executes a call of `tool`; `observed` is the request as observers saw it at admission. */
export async function executeToolCall(
  env: ToolCallEnvironment,
  tool: RegisteredTool,
  request: ToolCallRequest,
  observed: ObservedRequest,
): Promise<ToolCallOutcome> {
  const { definition } = tool;
  const checked = checkCall(env.mode, tool, request.arguments);
  if (!checked.ok) return failed(checked.outcome, checked.error);

  const logger = env.log.logger(request.sendLog);
  const operatorReport = (hook: string, error: unknown) =>
    env.log.operator("error", `observer ${hook} failed`, { detail: String(error) });
  const sendProgress = progressSender(
    observed.progressToken,
    request.sendProgress,
    (update, sent) => reportProgress(env.observers, observed, update, sent, operatorReport),
  );
  // Links shared during the call travel with its successful result.
  const links: ArtifactLink[] = [];
  const jobs = jobLookupIn(env.observers);
  // A task is its own job; a plain call got its job when the job observer admitted it.
  const jobId = observed.taskId ?? jobs?.jobIdFor(observed) ?? null;
  const settled = await runBounded(
    (signal) => {
      const ctx: ToolContext = {
        sandbox: env.sandbox,
        mode: env.mode,
        logger,
        sendProgress: (update) => signal.aborted ? Promise.resolve() : sendProgress(update),
        async shareArtifact(artifact) {
          if (!env.refs) return null;
          const link = await env.refs.share(artifact);
          links.push(link);
          return link;
        },
        signal,
        describeJob: (description) =>
          reportDescribed(env.observers, observed, description, operatorReport),
        jobId,
        jobActivity: (id) => jobs?.jobActivity(id) ?? "unknown",
        requestId: observed.requestId,
        progressToken: observed.progressToken,
        sessionId: env.sessionId,
        serverId: env.serverId,
      };
      return definition.handler(checked.args as never, ctx);
    },
    request.signal,
    env.shutdownSignal,
    request.timeoutMs,
  );

  switch (settled.kind) {
    case "returned": {
      const mismatch = tool.validators.checkResult(settled.value);
      if (mismatch !== null) {
        env.log.operator("error", `${definition.name} returned a result outside its outputSchema`, {
          detail: mismatch,
        });
        return failed("tool-error", recordOf(new Error(mismatch), definition.name));
      }
      return { result: toolSuccess(settled.value, links), outcome: "ok", error: null };
    }
    case "threw": {
      const record = recordOf(settled.error, definition.name);
      if (record.kind === "InternalError") {
        const error = settled.error;
        env.log.operator("error", `${definition.name} threw`, {
          detail: error instanceof Error ? (error.stack ?? error.message) : String(error),
        });
      }
      return failed("tool-error", record);
    }
    case "timeout":
      return failed(
        "timeout",
        errorRecord(
          "Timeout",
          `${definition.name} did not finish within ${request.timeoutMs} ms and was stopped.`,
          { tool: definition.name, timeout_ms: request.timeoutMs },
          "Retry once the server is less busy, or narrow the request (fewer rows, a smaller case).",
        ),
      );
    case "cancelled":
      // The SDK sends nothing for a cancelled request; observers still learn how it ended.
      return failed(
        "cancelled",
        errorRecord("Cancelled", `${definition.name} was cancelled.`, { tool: definition.name }),
      );
  }
}
