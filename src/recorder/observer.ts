/**
 * The Flight Recorder as a request observer for the server's hook: `mcp.tool_call` when a call
 * is admitted, `mcp.tool_result` / `mcp.resource_read` / `mcp.cancelled` when a request ends, and
 * `mcp.progress` for each progress update. Structurally typed against the server's observer.
 *
 * Correlation ids come from the server (`correlate`, e.g. the job store's `jobIdFor`); what the
 * client sent (progress token, `_meta`, request id) is stored as client claims only.
 *
 * @module
 */
import type { ErrorRecord, JsonValue } from "../common/mod.ts";
import { boundedJson, clientClaimsFrom, type FlightEvent, LIMITS } from "./events.ts";

/** What the recorder reads from a request (a subset of the server's `ObservedRequest`). */
export interface RecorderObservedRequest {
  readonly method: string;
  readonly requestId: string | number;
  readonly sessionId: string;
  readonly progressToken: string | number | null;
  readonly tool: { readonly name: string; readonly arguments: unknown } | null;
  /** The request's `_meta`, when the server passes it: stored as client claims. */
  readonly meta?: unknown;
}

/** Server-side correlation for a request. */
export interface Correlation {
  readonly jobId?: string | null;
  readonly taskId?: string | null;
  readonly workflowRunId?: string | null;
  readonly traceId?: string | null;
}

/** Options for `createRecorderObserver`. */
export interface RecorderObserverOptions {
  /** Trusted correlation ids for a request (from the job store or task store). */
  readonly correlate?: (request: RecorderObservedRequest) => Correlation | null;
  /** The capability profile of the request's session. */
  readonly profileId?: (request: RecorderObservedRequest) => string | null;
}

/** The observer the server registers (after the Gate and the job store). */
export interface RecorderObserver {
  admit(request: RecorderObservedRequest): { allow: true };
  finished(
    request: RecorderObservedRequest,
    completion: {
      readonly outcome: string;
      readonly error: ErrorRecord | null;
      readonly durationMs: number;
    },
  ): void;
  progress(
    request: RecorderObservedRequest,
    update: {
      readonly progress: number;
      readonly total?: number | null;
      readonly message?: string;
    },
    sent: boolean,
  ): void;
}

function claims(request: RecorderObservedRequest): Record<string, JsonValue> {
  return {
    request_id: request.requestId,
    ...(request.progressToken === null ? {} : { progressToken: request.progressToken }),
    ...(clientClaimsFrom(request.meta) ?? {}),
  };
}

/** Builds the recorder observer; `record` is usually `recorder.record`. */
export function createRecorderObserver(
  record: (event: FlightEvent) => unknown,
  options: RecorderObserverOptions = {},
): RecorderObserver {
  const base = (request: RecorderObservedRequest) => {
    const correlation = options.correlate?.(request) ?? {};
    return {
      source: "server" as const,
      sessionId: request.sessionId,
      jobId: correlation.jobId ?? null,
      taskId: correlation.taskId ?? null,
      workflowRunId: correlation.workflowRunId ?? null,
      traceId: correlation.traceId ?? null,
      toolName: request.tool?.name ?? null,
      capabilityProfileId: options.profileId?.(request) ?? null,
      clientClaims: claims(request),
    };
  };
  return {
    admit(request) {
      if (request.method === "tools/call" && request.tool !== null) {
        const args = boundedJson(request.tool.arguments, LIMITS.payloadJson);
        record({
          ...base(request),
          kind: "mcp.tool_call",
          message: `${request.tool.name} called`,
          payload: { arguments: args === null ? null : JSON.parse(args) as JsonValue },
        });
      }
      return { allow: true };
    },
    finished(request, completion) {
      // Denials are recorded by the Gate as decisions; nothing ran.
      if (completion.outcome === "denied") return;
      const common = {
        ...base(request),
        durationMs: completion.durationMs,
        errorCode: completion.error?.kind ?? null,
        payload: { outcome: completion.outcome, method: request.method },
      };
      if (completion.outcome === "cancelled") {
        record({
          ...common,
          kind: "mcp.cancelled",
          level: "notice",
          message: `${request.method} cancelled`,
        });
      }
      if (request.method === "tools/call") {
        record({
          ...common,
          kind: "mcp.tool_result",
          level: completion.outcome === "ok" ? "info" : "warning",
          message: completion.error?.message ??
            `${request.tool?.name ?? "tool"} ${completion.outcome}`,
        });
      } else if (request.method === "resources/read") {
        record({
          ...common,
          kind: "mcp.resource_read",
          level: completion.outcome === "ok" ? "info" : "warning",
          message: completion.error?.message ?? `resource read ${completion.outcome}`,
        });
      }
    },
    progress(request, update, sent) {
      record({
        ...base(request),
        kind: "mcp.progress",
        level: "debug",
        message: update.message ??
          `progress ${update.progress}${update.total ? `/${update.total}` : ""}`,
        payload: { progress: update.progress, total: update.total ?? null, sent },
      });
    },
  };
}
