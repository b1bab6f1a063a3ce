/**
 * Flight Recorder event types and the rules that turn a caller's event into a stored row.
 *
 * Trust: correlation ids (`sessionId`, `jobId`, `taskId`, `workflowRunId`, `traceId`) are set by
 * the server from its own context. Anything a client sends (`_meta`, traceparent, its own idea of
 * a task or job id) goes into `clientClaims` and is stored apart, never in the trusted columns.
 * Every text field is bounded so a hostile client cannot grow the audit log without limit.
 *
 * @module
 */
import { type JsonValue, LOG_LEVELS, type LogLevel } from "../common/mod.ts";

/** Event kinds the recorder stores. */
export const EVENT_KINDS = [
  "mcp.session_open",
  "mcp.session_close",
  "mcp.tool_call",
  "mcp.tool_result",
  "mcp.gate_decision",
  "mcp.progress",
  "mcp.progress_token_mismatch",
  "mcp.logging",
  "mcp.resource_read",
  "mcp.cancelled",
  "mcp.task_status",
  "mcp.ref_created",
  "mcp.ref_released",
  "mcp.ref_refused",
  "mcp.request_refused",
  "job.interrupted",
  "host.request",
  "host.response",
  "host.notification",
  "recorder.started",
] as const;

export type EventKind = typeof EVENT_KINDS[number];

/** MCP logging levels (RFC 5424 names), reused for events. */
export const EVENT_LEVELS = LOG_LEVELS;

export type EventLevel = LogLevel;

/** Which component emitted the event. */
export const EVENT_SOURCES = [
  "server",
  "gate",
  "jobs",
  "tasks",
  "refs",
  "engine",
  "host",
  "recorder",
] as const;

export type EventSource = typeof EVENT_SOURCES[number];

/** What a Gate decision looked like. */
export type GateDecisionValue = "allow" | "deny" | "timeout";

/** An event as a caller records it; the recorder adds id, sequence, time and server id. */
export interface FlightEvent {
  readonly kind: EventKind;
  readonly source: EventSource;
  readonly message: string;
  readonly level?: EventLevel;
  readonly sessionId?: string | null;
  readonly taskId?: string | null;
  readonly jobId?: string | null;
  readonly workflowRunId?: string | null;
  readonly traceId?: string | null;
  readonly toolName?: string | null;
  readonly capabilityProfileId?: string | null;
  readonly gateDecision?: GateDecisionValue | null;
  readonly durationMs?: number | null;
  /** Error kind of the record sent to the client, when there was one. */
  readonly errorCode?: string | null;
  readonly payload?: JsonValue;
  /** Ids and metadata the client sent; stored as claims, never trusted. */
  readonly clientClaims?: Record<string, JsonValue> | null;
}

/** The columns a stored event has, whether on its way in (PendingRow) or read back. */
interface EventColumns {
  readonly eventId: string;
  readonly seq: number;
  readonly serverId: string;
  readonly sessionId: string | null;
  readonly taskId: string | null;
  readonly jobId: string | null;
  readonly workflowRunId: string | null;
  readonly traceId: string | null;
  readonly eventKind: string;
  readonly source: string;
  readonly level: string;
  readonly message: string;
  readonly toolName: string | null;
  readonly capabilityProfileId: string | null;
  readonly gateDecision: string | null;
  readonly durationMs: number | null;
  readonly errorCode: string | null;
}

/** One stored event, as the reader returns it. */
export interface FlightEventRow extends EventColumns {
  /** ISO 8601 UTC, millisecond precision. */
  readonly tsUtc: string;
  readonly payload: JsonValue | null;
  readonly clientClaims: JsonValue | null;
}

/** Bounds on stored text, in UTF-16 code units. */
export const LIMITS = {
  id: 256,
  message: 4_096,
  payloadJson: 65_536,
  claimsJson: 8_192,
} as const;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function clipId(value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : clip(value, LIMITS.id);
}

/** JSON text of `value`, or a small marker object when it is too large or not serialisable. */
export function boundedJson(value: unknown, maxChars: number): string | null {
  if (value === undefined || value === null) return null;
  let text: string;
  try {
    text = JSON.stringify(value) ?? "null";
  } catch {
    return JSON.stringify({ unserialisable: true });
  }
  if (text.length <= maxChars) return text;
  return JSON.stringify({
    truncated: true,
    original_chars: text.length,
    head: text.slice(0, 1024),
  });
}

/**
 * The claims worth keeping from a request's `_meta` (or any client-supplied object): every key,
 * as JSON, bounded in size. Returns null when there is nothing.
 */
export function clientClaimsFrom(meta: unknown): Record<string, JsonValue> | null {
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) return null;
  const entries = Object.entries(meta as Record<string, unknown>);
  if (entries.length === 0) return null;
  const text = boundedJson(Object.fromEntries(entries.slice(0, 64)), LIMITS.claimsJson);
  return text === null ? null : JSON.parse(text) as Record<string, JsonValue>;
}

/** A row ready for storage: the event plus what the recorder adds. */
export interface PendingRow extends EventColumns {
  readonly tsMs: number;
  readonly payloadJson: string | null;
  readonly clientClaimsJson: string | null;
}

/** Stamps and bounds an event. Unknown kinds, levels and sources are refused (typed events only). */
export function toPendingRow(
  event: FlightEvent,
  stamp: { eventId: string; seq: number; tsMs: number; serverId: string },
): PendingRow {
  if (!(EVENT_KINDS as readonly string[]).includes(event.kind)) {
    throw new TypeError(`Unknown flight event kind "${String(event.kind)}"`);
  }
  if (!(EVENT_SOURCES as readonly string[]).includes(event.source)) {
    throw new TypeError(`Unknown flight event source "${String(event.source)}"`);
  }
  const level = event.level ?? "info";
  if (!(EVENT_LEVELS as readonly string[]).includes(level)) {
    throw new TypeError(`Unknown flight event level "${String(level)}"`);
  }
  const duration = event.durationMs;
  return {
    ...stamp,
    sessionId: clipId(event.sessionId),
    taskId: clipId(event.taskId),
    jobId: clipId(event.jobId),
    workflowRunId: clipId(event.workflowRunId),
    traceId: clipId(event.traceId),
    eventKind: event.kind,
    source: event.source,
    level,
    message: clip(String(event.message), LIMITS.message),
    payloadJson: boundedJson(event.payload, LIMITS.payloadJson),
    toolName: clipId(event.toolName),
    capabilityProfileId: clipId(event.capabilityProfileId),
    gateDecision: event.gateDecision ?? null,
    durationMs: typeof duration === "number" && Number.isFinite(duration) ? duration : null,
    errorCode: clipId(event.errorCode),
    clientClaimsJson: boundedJson(event.clientClaims, LIMITS.claimsJson),
  };
}

/** Filters for reading events; all optional and combined with AND. */
export interface FlightFilter {
  readonly jobId?: string;
  readonly kind?: string;
  /** Only events at or after this time (ms since the epoch). */
  readonly sinceMs?: number;
  readonly sessionId?: string;
  /** At most this many events (default 10 000). */
  readonly limit?: number;
  /** Keep the newest `limit` events instead of the oldest; rows still come oldest first. */
  readonly newest?: boolean;
}
