/**
 * The host's bookkeeping for one connection and the calls in flight on it. Internal to
 * `src/host`.
 *
 * @module
 */
import type { FlightEvent } from "../recorder/mod.ts";
import type { FloodGuard } from "./flood_guard.ts";
import type { Client, Transport } from "./sdk.ts";
import { type ServerExit, StdioServerTransport } from "./stdio_client.ts";
import type { HostProgress, SessionInfo } from "./types.ts";
import type { TappedTransport } from "./wire.ts";

/** A call that left the host and has not ended. */
export interface PendingCall {
  readonly jobId: string;
  readonly workflowRunId: string;
  readonly traceId: string;
  /** The progress token the host minted for it. */
  readonly token: string;
  readonly toolName: string;
  readonly caseDir: string | null;
  readonly outputDir: string | null;
  readonly onProgress?: (progress: HostProgress) => void;
  /** The JSON-RPC id the SDK gave the request, once it was sent. */
  messageId: string | number | null;
  jobCreated: boolean;
  /** Resets the call's idle limit (the server is still talking about it). */
  touch(): void;
}

/** One connection to a server. */
export interface Connection {
  info: SessionInfo;
  readonly client: Client;
  readonly wire: TappedTransport;
  readonly inner: Transport;
  readonly guard: FloodGuard;
  /** The event kind each flood-guarded anomaly is recorded as. */
  readonly floodKinds: Map<string, FlightEvent["kind"]>;
  open: boolean;
  /** Set when the host itself ends the connection (so the end is not reported as a crash). */
  closing: boolean;
  samplingAnswered: number;
}

/** Calls in flight, by the host's progress token and by JSON-RPC id. */
export class CallRegistry {
  readonly #byToken = new Map<string, PendingCall>();
  readonly #byMessage = new Map<string, PendingCall>();

  add(call: PendingCall): void {
    this.#byToken.set(call.token, call);
  }

  /** Records the JSON-RPC id the request went out with. */
  bind(call: PendingCall, messageId: string | number): void {
    call.messageId = messageId;
    this.#byMessage.set(String(messageId), call);
  }

  byToken(token: unknown): PendingCall | undefined {
    return typeof token === "string" ? this.#byToken.get(token) : undefined;
  }

  byMessage(id: string | number): PendingCall | undefined {
    return this.#byMessage.get(String(id));
  }

  remove(call: PendingCall): void {
    this.#byToken.delete(call.token);
    if (call.messageId !== null) this.#byMessage.delete(String(call.messageId));
  }
}

/** `text` cut to `max` characters. */
export function bounded(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The message of an error or value (the host's modules import it from here). */
export { messageOf } from "../common/mod.ts";

/** "exit code 3" or "killed by SIGKILL". */
export function describeExit(exit: ServerExit): string {
  return exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}

/** How a launched server ended, waiting at most `ms`; null for HTTP or when still running. */
export function exitWithin(transport: Transport, ms: number): Promise<ServerExit | null> {
  if (!(transport instanceof StdioServerTransport)) return Promise.resolve(null);
  return transport.exitWithin(ms);
}
