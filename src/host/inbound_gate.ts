/**
 * The inbound gate: answers requests the server sends to the host. Only what the host declared
 * in `initialize` is served; every other method gets JSON-RPC -32601 (method not found) whether
 * or not the host could technically answer it, so a server cannot reach a capability it was not
 * offered. `roots/list` answers the canonical roots as `file://` URIs (the one place a host
 * sends file URIs). Sampling and elicitation are off unless the policy turns them on.
 *
 * @module
 */
import { pathToFileURL } from "node:url";
import { posix } from "node:path";
import type { HostPolicy } from "./policy.ts";
import { planSampling, type SamplingProvider } from "./sampling.ts";

/** The JSON-RPC codes the gate answers with. */
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;

/** Client capabilities as sent in `initialize`. */
export interface DeclaredCapabilities {
  roots?: { listChanged: false };
  sampling?: Record<string, never>;
  elicitation?: Record<string, never>;
}

/** A request from the server, as read off the wire. */
export interface InboundRequest {
  readonly id: string | number;
  readonly method: string;
  readonly params?: unknown;
}

/** How the gate answered, for the wire and for the audit trail. */
export interface InboundAnswer {
  readonly method: string;
  readonly verdict: "answered" | "refused";
  /** `declared`, `not_declared`, `tools_requested`, `unsupported_content`, … */
  readonly reason: string;
  readonly result?: Record<string, unknown>;
  readonly error?: { code: number; message: string };
}

/** What the gate needs. */
export interface InboundGateOptions {
  readonly policy: HostPolicy;
  /** Labels fenced text, e.g. `MCP server "srv-…"`. */
  readonly origin: string;
  /** The model for sampling; sampling is declared only when the policy enables it and this is set. */
  readonly sampling: SamplingProvider | null;
  /** Longest a provider may take for one sampling request (default 60 s). */
  readonly samplingTimeoutMs?: number;
}

/** The client capabilities the host declares for `policy`. */
export function declaredCapabilities(
  policy: HostPolicy,
  sampling: SamplingProvider | null,
): DeclaredCapabilities {
  const capabilities: DeclaredCapabilities = {};
  if (policy.rootsCapability) capabilities.roots = { listChanged: false };
  if (policy.sampling.enabled && sampling !== null) capabilities.sampling = {};
  if (policy.elicitation) capabilities.elicitation = {};
  return capabilities;
}

/** `roots/list` result: canonical roots as file URIs. */
export function rootsResult(roots: readonly string[]): { roots: { uri: string; name: string }[] } {
  return {
    roots: roots.map((root) => ({
      uri: pathToFileURL(root).href,
      name: posix.basename(root) || "/",
    })),
  };
}

/** A refusal of `method` with JSON-RPC error `code`; `reason` is for the audit trail. */
export function refuse(
  method: string,
  code: number,
  reason: string,
  message: string,
): InboundAnswer {
  return { method, verdict: "refused", reason, error: { code, message } };
}

function notDeclared(method: string): InboundAnswer {
  return refuse(method, METHOD_NOT_FOUND, "not_declared", "Method not found");
}

/** Answers one server-to-client request. Never throws. */
export async function answerServerRequest(
  options: InboundGateOptions,
  request: InboundRequest,
): Promise<InboundAnswer> {
  const declared = declaredCapabilities(options.policy, options.sampling);
  const { method } = request;
  switch (method) {
    case "ping":
      return { method, verdict: "answered", reason: "declared", result: {} };
    case "roots/list":
      if (!declared.roots) return notDeclared(method);
      return {
        method,
        verdict: "answered",
        reason: "declared",
        result: rootsResult(options.policy.roots),
      };
    case "elicitation/create":
      if (!declared.elicitation) return notDeclared(method);
      // No person is asked from inside the host library: the safe answer is to decline.
      return { method, verdict: "answered", reason: "declined", result: { action: "decline" } };
    case "sampling/createMessage":
      if (!declared.sampling || options.sampling === null) return notDeclared(method);
      return await sample(options, options.sampling, request);
    default:
      return notDeclared(method);
  }
}

async function sample(
  options: InboundGateOptions,
  provider: SamplingProvider,
  request: InboundRequest,
): Promise<InboundAnswer> {
  const method = request.method;
  const plan = planSampling(request.params, options.policy.sampling, options.origin);
  if (!plan.ok) return refuse(method, INVALID_PARAMS, plan.reason, plan.message);
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error("sampling timed out")),
    options.samplingTimeoutMs ?? 60_000,
  );
  try {
    const completion = await provider.complete(plan.request, controller.signal);
    return {
      method,
      verdict: "answered",
      reason: plan.ignoredContext ? "declared_context_ignored" : "declared",
      result: {
        role: "assistant",
        content: { type: "text", text: completion.text },
        model: completion.model,
        stopReason: completion.stopReason ?? "endTurn",
      },
    };
  } catch {
    return refuse(method, INTERNAL_ERROR, "provider_failed", "The host's model could not answer");
  } finally {
    clearTimeout(timer);
  }
}
