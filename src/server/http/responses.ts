/**
 * HTTP refusals of the transport: a JSON-RPC error object (as the SDK's own refusals) whose
 * `data` is a Cobre error record, so an agent reads the same `{kind, message, context,
 * suggestion}` whether a tool or the transport said no.
 *
 * @module
 */
import { type ErrorKind, errorRecord, type JsonValue } from "../../common/mod.ts";

/** JSON-RPC codes the transport uses (the SDK's choices for the same conditions). */
export const RPC_CODES = {
  /** Generic transport refusal (403, 406, 413, 415, 429, 503). */
  refused: -32000,
  sessionNotFound: -32001,
  parseError: -32700,
  invalidRequest: -32600,
} as const;

/** One refusal: status, codes and what the agent should do about it. */
export interface Refusal {
  status: number;
  code: number;
  kind: ErrorKind;
  message: string;
  suggestion: string | null;
  context?: Record<string, JsonValue>;
  headers?: Record<string, string>;
  /** The JSON-RPC id, when the refused body carried exactly one request. */
  id?: string | number | null;
}

/** Builds the HTTP response for a refusal. */
export function refusalResponse(refusal: Refusal): Response {
  const record = errorRecord(
    refusal.kind,
    refusal.message,
    refusal.context ?? {},
    refusal.suggestion,
  );
  const body = {
    jsonrpc: "2.0",
    error: { code: refusal.code, message: refusal.message, data: record },
    id: refusal.id ?? null,
  };
  return new Response(JSON.stringify(body), {
    status: refusal.status,
    headers: { "Content-Type": "application/json", ...refusal.headers },
  });
}

/** `Retry-After` for a wait in seconds. */
export function retryAfter(seconds: number): Record<string, string> {
  return { "Retry-After": String(Math.max(1, Math.ceil(seconds))) };
}
