/**
 * What a failed call becomes for the agent: a record with a registry kind that says what
 * happened (the host stopped it, the server went away, the server answered with a protocol
 * error), never a stack trace.
 *
 * @module
 */
import { type ErrorRecord, errorRecord } from "../common/mod.ts";
import type { CallEnd } from "./call_limits.ts";
import { ErrorCode, McpError } from "./sdk.ts";
import { bounded, describeExit, messageOf } from "./session.ts";
import type { ServerExit } from "./stdio_client.ts";
import type { CallOutcome } from "./types.ts";

/** What is known when a call failed. */
export interface FailureFacts {
  readonly tool: string;
  readonly thrown: unknown;
  /** Why the host stopped it, if it did. */
  readonly ended: CallEnd | null;
  readonly overallMs: number | null;
  readonly idleMs: number;
  /** Whether the connection is still open. */
  readonly connected: boolean;
  /** How a launched server ended, when it did. */
  readonly exit: ServerExit | null;
  /** Redacts a server-supplied message. */
  readonly redact: (text: string) => string;
}

/** The outcome and record of a failed call. */
export function callFailure(facts: FailureFacts): { outcome: CallOutcome; error: ErrorRecord } {
  const { tool, thrown, ended } = facts;
  if (ended === "timeout" || ended === "idle") {
    const seconds = Math.round((ended === "timeout" ? facts.overallMs! : facts.idleMs) / 100) / 10;
    return {
      outcome: "timeout",
      error: errorRecord(
        "Timeout",
        ended === "timeout"
          ? `${tool} did not finish within ${seconds} s; the host cancelled it`
          : `${tool} sent neither a result nor progress for ${seconds} s; the host cancelled it`,
        { tool, timeout_s: seconds, limit: ended === "timeout" ? "overall" : "idle" },
        "Try again later; if it keeps happening the server may be stuck (the operator can reconnect).",
      ),
    };
  }
  if (ended === "cancelled") {
    return {
      outcome: "cancelled",
      error: errorRecord("Cancelled", `${tool} was cancelled`, { tool }),
    };
  }
  const closed = (thrown instanceof McpError && thrown.code === ErrorCode.ConnectionClosed) ||
    !facts.connected;
  if (closed) {
    const exit = facts.exit;
    return {
      outcome: "disconnected",
      error: errorRecord(
        "InternalError",
        exit
          ? `The MCP server exited while ${tool} was running (${describeExit(exit)})`
          : `The connection to the MCP server closed while ${tool} was running`,
        { tool, ...(exit ? { exit: describeExit(exit) } : {}) },
        "The operator can reconnect the host and run the call again.",
      ),
    };
  }
  if (thrown instanceof McpError) {
    const kind = thrown.code === ErrorCode.InvalidParams ? "InvalidArgument" : "InternalError";
    const detail = facts.redact(thrown.message.replace(/^MCP error -?\d+: /, ""));
    return {
      outcome: "protocol-error",
      error: errorRecord(kind, `${tool} failed: ${bounded(detail)}`, { tool, code: thrown.code }),
    };
  }
  return {
    outcome: "protocol-error",
    error: errorRecord(
      "InternalError",
      `${tool} failed in the host: ${bounded(messageOf(thrown))}`,
      {
        tool,
      },
    ),
  };
}
