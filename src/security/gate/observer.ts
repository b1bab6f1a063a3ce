/**
 * The Gate as a request observer for the server's hook (`admit` before a handler runs, `finished`
 * after). Structurally typed: the server's `ObservedRequest` fits `GateObservedRequest`, and the
 * returned admission is the server's `Admission`. Every decision is also recorded.
 *
 * Fail closed: a path that cannot be canonicalised, or a resource read whose paths the server did
 * not pass while the profile restricts paths, is denied.
 *
 * @module
 */
import { CobreError, type ErrorRecord, errorRecord } from "../../common/mod.ts";
import type { FlightEvent } from "../../recorder/mod.ts";
import {
  decideMethod,
  decidePromptGet,
  decideResourceRead,
  decideToolCall,
  type GateContext,
  type GateDecision,
} from "./decide.ts";
import { timeoutDecision } from "./timeout.ts";
import { pathArguments } from "./tools.ts";

/** What the Gate reads from a request (a subset of the server's `ObservedRequest`). */
export interface GateObservedRequest {
  readonly method: string;
  readonly requestId: string | number;
  readonly sessionId: string;
  readonly tool: { readonly name: string; readonly arguments: unknown } | null;
  /** For `resources/read`: the canonical paths named by the URI, when the server knows them. */
  readonly resourcePaths?: readonly string[];
  /** For `prompts/get`. */
  readonly promptName?: string;
}

/** The server's `Admission`. */
export type GateAdmission =
  | { allow: true; timeoutMs?: number | null }
  | { allow: false; error: ErrorRecord };

/** Options for `createGateObserver`. */
export interface GateObserverOptions {
  /** The session's profile and the runtime mode (a function when profiles differ per session). */
  readonly context: GateContext | ((request: GateObservedRequest) => GateContext);
  /**
   * Canonicalises an agent-supplied path inside the sandbox, existing or not (the server passes
   * `sandbox.resolveForCreate`); throws `CobreError` for paths outside.
   */
  readonly resolvePath: (path: string) => Promise<string>;
  /** Receives one `mcp.gate_decision` event per decision. */
  readonly record?: (event: FlightEvent) => void;
}

/** The observer the server registers; `finished` records timeouts as decisions too. */
export interface GateObserver {
  admit(request: GateObservedRequest): Promise<GateAdmission>;
  finished(
    request: GateObservedRequest,
    completion: { readonly outcome: string; readonly error: ErrorRecord | null },
  ): void;
}

function contextOf(options: GateObserverOptions, request: GateObservedRequest): GateContext {
  return typeof options.context === "function" ? options.context(request) : options.context;
}

function refusedPath(ctx: GateContext, request: GateObservedRequest, error: unknown): GateDecision {
  const record = error instanceof CobreError
    ? error.record
    : errorRecord("PermissionDenied", "A path argument could not be checked", {}, null);
  return {
    verdict: "deny",
    reason: "path_not_canonical",
    profileId: ctx.profile.id,
    method: request.method,
    toolName: request.tool?.name ?? null,
    timeoutMs: null,
    error: record,
  };
}

async function decide(
  options: GateObserverOptions,
  request: GateObservedRequest,
): Promise<GateDecision> {
  const ctx = contextOf(options, request);
  switch (request.method) {
    case "tools/call": {
      if (request.tool === null) return decideToolCall(ctx, "(unknown tool)", []);
      const canonical: string[] = [];
      for (const path of pathArguments(request.tool.arguments)) {
        try {
          canonical.push(await options.resolvePath(path));
        } catch (error) {
          return refusedPath(ctx, request, error);
        }
      }
      return decideToolCall(ctx, request.tool.name, canonical);
    }
    case "resources/read": {
      const paths = request.resourcePaths;
      if (paths === undefined && ctx.profile.pathPrefixes !== null) {
        return decideResourceRead(ctx, ["(paths not given)"]);
      }
      return decideResourceRead(ctx, paths ?? []);
    }
    case "prompts/get":
      return decidePromptGet(ctx, request.promptName ?? "");
    default:
      return decideMethod(ctx, request.method);
  }
}

/** The `mcp.gate_decision` event for a decision. */
export function gateDecisionEvent(
  decision: GateDecision,
  request: GateObservedRequest,
): FlightEvent {
  return {
    kind: "mcp.gate_decision",
    source: "gate",
    level: decision.verdict === "allow" ? "info" : "warning",
    message: decision.error?.message ?? `${decision.toolName ?? decision.method} allowed`,
    sessionId: request.sessionId,
    toolName: decision.toolName,
    capabilityProfileId: decision.profileId,
    gateDecision: decision.verdict,
    errorCode: decision.error?.kind ?? null,
    payload: { method: decision.method, reason: decision.reason, timeout_ms: decision.timeoutMs },
    clientClaims: { request_id: request.requestId },
  };
}

/** Builds the Gate observer; see the module doc. */
export function createGateObserver(options: GateObserverOptions): GateObserver {
  const record = (decision: GateDecision, request: GateObservedRequest) =>
    options.record?.(gateDecisionEvent(decision, request));
  return {
    async admit(request) {
      const decision = await decide(options, request);
      record(decision, request);
      if (decision.verdict === "allow") return { allow: true, timeoutMs: decision.timeoutMs };
      return {
        allow: false,
        error: decision.error ?? errorRecord("PermissionDenied", "Request denied", {}, null),
      };
    },
    finished(request, completion) {
      if (completion.outcome !== "timeout" || request.tool === null) return;
      const ctx = contextOf(options, request);
      const allowed = decideToolCall(ctx, request.tool.name, []);
      if (allowed.verdict === "allow") record(timeoutDecision(allowed).decision, request);
    },
  };
}
