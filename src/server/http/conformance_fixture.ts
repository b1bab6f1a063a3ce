/**
 * `test_reconnection`, the one fixture of the MCP conformance suite this server can serve, and
 * only when started with `--conformance-fixtures` (the conformance task does; operators never
 * need to). The suite's `server-sse-polling` scenario calls it to check SSE polling (SEP-1699):
 * the tool ends its own SSE stream mid-call, then answers; the client must get the answer by
 * reconnecting with `Last-Event-ID`. It thereby tests our priming events, `retry:` hint, event
 * store and replay, with no access to any file.
 *
 * @module
 */
import type { CapabilityProfile } from "../../security/mod.ts";
import type { ToolDefinition } from "../types.ts";

/** The fixture's name, as the suite calls it. */
export const RECONNECTION_TOOL = "test_reconnection";
/** Its timeout, the same in the tool and in the profile that admits it. */
const RECONNECTION_TIMEOUT_MS = 10_000;

/** Ends the SSE stream that carries request `requestId` of session `sessionId`. */
export type StreamCloser = (sessionId: string, requestId: string | number) => void;

/** The fixture tool; `closeStream` reaches the session's transport. */
export function reconnectionTool(
  closeStream: StreamCloser,
): ToolDefinition<Record<string, never>, { reconnected: boolean }> {
  return {
    name: RECONNECTION_TOOL,
    title: "Conformance: SSE reconnection",
    description: "Closes its own SSE stream mid-call, then answers (MCP conformance fixture).",
    inputSchema: { type: "object", properties: {} },
    outputSchema: {
      type: "object",
      properties: { reconnected: { type: "boolean" } },
      required: ["reconnected"],
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
    timeoutMs: RECONNECTION_TIMEOUT_MS,
    access: "read",
    handler: async (_args, ctx) => {
      closeStream(ctx.sessionId, ctx.requestId);
      // Answer after the stream is gone, so the answer can only arrive through a resumption.
      await new Promise((resolve) => setTimeout(resolve, 100));
      return { reconnected: true };
    },
  };
}

/** `profile` plus the fixture tool, under a distinct id so the audit trail shows it. */
export function withReconnectionTool(profile: CapabilityProfile): CapabilityProfile {
  return {
    ...profile,
    id: `${profile.id}+conformance`,
    tools: new Set([...profile.tools, RECONNECTION_TOOL]),
    timeoutsMs: { ...profile.timeoutsMs, [RECONNECTION_TOOL]: RECONNECTION_TIMEOUT_MS },
  };
}
