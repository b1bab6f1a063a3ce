/**
 * The two shapes a `tools/call` result takes. Success carries the result twice, as
 * `structuredContent` and as the single JSON text block the Cobre spec shows; failure carries the
 * error record as JSON text only, because SDK clients validate any `structuredContent` against the
 * tool's output schema, which describes success.
 *
 * @module
 */
import type { CallToolResult } from "./sdk.ts";
import { CobreError, type ErrorRecord, errorRecord } from "../common/mod.ts";
import type { ArtifactLink } from "./types.ts";

/** A successful result: structured content plus its JSON text, then any `resource_link`s. */
export function toolSuccess(result: object, links: readonly ArtifactLink[] = []): CallToolResult {
  return {
    content: [{ type: "text", text: JSON.stringify(result) }, ...links],
    structuredContent: { ...result },
    isError: false,
  };
}

/** A failed result: the error record as JSON text, `isError: true`. */
export function toolFailure(error: ErrorRecord): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(error) }], isError: true };
}

/**
 * The record for anything a handler threw. A `CobreError` speaks for itself; anything else is an
 * internal failure whose details stay in the operator log, so nothing unchecked (stack traces,
 * host paths) reaches the agent.
 */
export function recordOf(error: unknown, toolName: string): ErrorRecord {
  if (error instanceof CobreError) return error.record;
  return errorRecord(
    "InternalError",
    `${toolName} failed unexpectedly.`,
    { tool: toolName },
    "This is a server fault, not a problem with the arguments; the details are in the server log.",
  );
}
