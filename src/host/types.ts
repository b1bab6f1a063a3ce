/**
 * The host's public shapes: options, what a connection and a call report, and the `_meta` keys
 * it speaks.
 *
 * @module
 */
import type { ErrorRecord, JsonValue } from "../common/mod.ts";
import type { Job } from "../jobs/mod.ts";
import type { Confirmer } from "./confirm.ts";
import type { OutboundDecision } from "./outbound_gate.ts";
import type { HostPolicy } from "./policy.ts";
import type { RedactionFiring } from "./redact.ts";
import type { AgentResult, ReferenceLink } from "./results.ts";
import type { SamplingProvider } from "./sampling.ts";

/** `_meta` key of the host's job ids on every outbound call. */
export const JOB_META_KEY = "dev.cobre/job";
/** `_meta` key of the Cobre progress payload the server sends. */
export const UPDATE_META_KEY = "dev.cobre/update";
/** `_meta` key under which a server may announce its id in the `initialize` result. */
export const SERVER_META_KEY = "dev.cobre/server";
/** The notification that tells a server a reference may be deleted. */
export const RESOURCE_RELEASED = "notifications/resource_released";

/** How the host is set up. */
export interface HostOptions {
  readonly policy: HostPolicy;
  /** The host's own state dir: jobs and recorder (never the server's, never an allowed dir). */
  readonly stateDir: string;
  /** Asks a person about calls marked `confirm` (default: no one is asked, they are denied). */
  readonly confirm?: Confirmer;
  /** The model for sampling; without it sampling is never declared. */
  readonly sampling?: SamplingProvider | null;
  /** Messages for the operator (stderr in the CLI); never shown to the agent. */
  readonly notice?: (line: string) => void;
  /** Each stderr line of a launched server. */
  readonly onServerStderr?: (line: string) => void;
  /** Longest wait for `initialize` (default 30 s). */
  readonly connectTimeoutMs?: number;
  /** Client name sent in `initialize`. */
  readonly clientName?: string;
  /**
   * Revoke this process's FFI permission once the recorder's Worker holds it (default true).
   * Tests that open several hosts in one process turn it off.
   */
  readonly revokeFfi?: boolean;
}

/** What the host learned when it connected. */
export interface SessionInfo {
  readonly connectionId: string;
  readonly attempt: number;
  readonly transport: "stdio" | "http";
  readonly label: string;
  readonly serverId: string | null;
  readonly serverName: string | null;
  readonly serverVersion: string | null;
  readonly pid: number | null;
  readonly declaredCapabilities: Record<string, unknown>;
}

/** One progress step as the host hands it on. */
export interface HostProgress {
  readonly jobId: string;
  readonly progress: number;
  readonly total: number | null;
  readonly message: string | null;
  /** The Cobre payload (`iteration`, `lower_bound`, …) when the server sent one. */
  readonly update: Record<string, JsonValue> | null;
}

/** Options of one call. */
export interface CallOptions {
  readonly onProgress?: (progress: HostProgress) => void;
  /** Aborting cancels the call (`notifications/cancelled` is sent). */
  readonly signal?: AbortSignal;
  /** Groups several calls of one workflow in the audit trail (minted when absent). */
  readonly workflowRunId?: string;
}

/** How a call ended. */
export type CallOutcome =
  | "ok"
  | "tool-error"
  | "denied"
  | "timeout"
  | "cancelled"
  | "disconnected"
  | "protocol-error";

/** What the agent gets back from a call, and what the host kept about it. */
export interface HostCallResult {
  /** The result as the agent sees it (screened and redacted). */
  readonly result: AgentResult;
  readonly outcome: CallOutcome;
  readonly error: ErrorRecord | null;
  /** The host-side job row, for calls that left the host. */
  readonly job: Job | null;
  readonly decision: OutboundDecision;
  readonly redactions: readonly RedactionFiring[];
  /** The connected server's own references in the result. */
  readonly links: readonly ReferenceLink[];
  readonly durationMs: number;
}

/** A resolved reference. */
export interface ResolvedReference {
  readonly uri: string;
  readonly mimeType: string | null;
  readonly bytes: Uint8Array;
}
