/**
 * The hook point around every request. The Gate (capability profiles, deny by default, per-tool
 * timeouts) answers `admit`; the Flight Recorder and the job store listen to `finished` and
 * `progress`. The server calls observers in the order given and never lets one of them break a
 * request: an observer that throws is logged and, in `admit`, counts as a denial.
 *
 * @module
 */
import type { ErrorRecord } from "../common/mod.ts";
import type { JobDescription, ProgressUpdate, ServerMode, ToolAccess } from "./types.ts";

/** The tool a `tools/call` request targets, once the name was found in the registry. */
export interface ObservedTool {
  /** Spec name (`cobre/validate`) whatever naming the client sees. */
  name: string;
  /** The name the client used (`cobre_validate` under portable naming). */
  servedName: string;
  access: ToolAccess;
  /** The tool's spec timeout; the Gate may shorten or lift it in its verdict. */
  timeoutMs: number | null;
  /** Arguments as received, before validation. */
  arguments: unknown;
}

/** One incoming request as observers see it. */
export interface ObservedRequest {
  method: string;
  requestId: string | number;
  sessionId: string;
  serverId: string;
  mode: ServerMode;
  progressToken: string | number | null;
  /**
   * The request's `_meta` as the client sent it. Observers may store it as client claims only:
   * correlation ids (job, trace, workflow run) always come from the server's own context.
   */
  meta?: Readonly<Record<string, unknown>>;
  /** `Date.now()` when the server received the request. */
  receivedAtMs: number;
  /** Present for `tools/call` of a known tool. */
  tool: ObservedTool | null;
  /** For `resources/read`: the canonical paths the URI names (checked by the sandbox first). */
  resourcePaths?: readonly string[];
  /** For `prompts/get`: the prompt's spec name. */
  promptName?: string;
  /**
   * For `tools/call`: the client asked for an MCP task (`params.task`). The task store then owns
   * the job (it is the task), and the call itself only creates it.
   */
  taskAugmented?: boolean;
  /** Set on the request a task's background work reports under (progress), once created. */
  taskId?: string;
}

/** What `admit` decides. `timeoutMs` (when given) replaces the tool's own timeout. */
export type Admission =
  | { allow: true; timeoutMs?: number | null }
  | { allow: false; error: ErrorRecord };

/** How a request ended. */
export type RequestOutcome =
  | "ok"
  | "tool-error"
  | "invalid-arguments"
  | "denied"
  | "timeout"
  | "cancelled"
  | "protocol-error";

/** What observers learn when a request ends. */
export interface RequestCompletion {
  outcome: RequestOutcome;
  /** The record sent to the client, for every outcome but `ok` and `protocol-error`. */
  error: ErrorRecord | null;
  durationMs: number;
}

/**
 * A notification from the client, as observers see it. Notifications get no answer, so observers
 * only hear of them: `accepted` when the server acted on it, `refused` when it ignored it (a
 * cancellation for a request that is not running, a method it does not handle).
 */
export interface ObservedNotification {
  method: string;
  sessionId: string;
  serverId: string;
  verdict: "accepted" | "refused";
  /** Why it was refused (`unknown_request`, `unhandled_method`); null when accepted. */
  reason: string | null;
  /** For `notifications/cancelled`: the request it names (a client claim). */
  requestId?: string | number;
  /** The reason text the client gave, if any, cut to 200 characters (a client claim). */
  clientReason?: string;
}

/** Implemented by the Gate, the Flight Recorder and the job store; every hook is optional. */
export interface RequestObserver {
  /** Before the handler runs; a denial ends the request with its record. */
  admit?(request: ObservedRequest): Admission | Promise<Admission>;
  /** After the response was decided (not necessarily delivered). */
  finished?(request: ObservedRequest, completion: RequestCompletion): void | Promise<void>;
  /** For each progress update a handler reports; `sent` is false without a progress token. */
  progress?(request: ObservedRequest, update: ProgressUpdate, sent: boolean): void;
  /** When a handler describes its job (canonical directories), for the job store. */
  described?(request: ObservedRequest, description: JobDescription): void;
  /** For each notification the client sent (see `ObservedNotification`). */
  notified?(notification: ObservedNotification): void;
}

/** Reports observer failures; the server passes its operator log. */
export type ObserverFailureReport = (hook: string, error: unknown) => void;

/**
 * Asks every observer in turn; the first denial wins. An observer that throws denies too, since
 * a Gate that cannot decide must not let the call through.
 */
export async function admitRequest(
  observers: readonly RequestObserver[],
  request: ObservedRequest,
  report: ObserverFailureReport,
): Promise<Admission> {
  let admission: Admission = { allow: true };
  for (const observer of observers) {
    if (!observer.admit) continue;
    let verdict: Admission;
    try {
      verdict = await observer.admit(request);
    } catch (error) {
      report("admit", error);
      return {
        allow: false,
        error: {
          kind: "PermissionDenied",
          message: "The request could not be authorised.",
          context: { method: request.method },
          suggestion: null,
        },
      };
    }
    if (!verdict.allow) return verdict;
    // A later observer may override the timeout an earlier one set.
    if (verdict.timeoutMs !== undefined) admission = { allow: true, timeoutMs: verdict.timeoutMs };
  }
  return admission;
}

/** Tells every observer how a request ended; failures are reported, never rethrown. */
export async function reportFinished(
  observers: readonly RequestObserver[],
  request: ObservedRequest,
  completion: RequestCompletion,
  report: ObserverFailureReport,
): Promise<void> {
  for (const observer of observers) {
    if (!observer.finished) continue;
    try {
      await observer.finished(request, completion);
    } catch (error) {
      report("finished", error);
    }
  }
}

/** Runs `tell` on every observer in turn; a failure is reported as `hook`'s, never rethrown. */
function tellEach(
  observers: readonly RequestObserver[],
  hook: string,
  tell: (observer: RequestObserver) => void,
  report: ObserverFailureReport,
): void {
  for (const observer of observers) {
    try {
      tell(observer);
    } catch (error) {
      report(hook, error);
    }
  }
}

/** Tells every observer a handler's job description; failures are reported, never rethrown. */
export function reportDescribed(
  observers: readonly RequestObserver[],
  request: ObservedRequest,
  description: JobDescription,
  report: ObserverFailureReport,
): void {
  tellEach(observers, "described", (o) => o.described?.(request, description), report);
}

/** Tells every observer about one client notification; failures are reported, never rethrown. */
export function reportNotified(
  observers: readonly RequestObserver[],
  notification: ObservedNotification,
  report: ObserverFailureReport,
): void {
  tellEach(observers, "notified", (o) => o.notified?.(notification), report);
}

/** Tells every observer about one progress update. */
export function reportProgress(
  observers: readonly RequestObserver[],
  request: ObservedRequest,
  update: ProgressUpdate,
  sent: boolean,
  report: ObserverFailureReport,
): void {
  tellEach(observers, "progress", (o) => o.progress?.(request, update, sent), report);
}
