/**
 * The tap between the SDK client and the real transport. Every message crosses it, so the host
 * sees the raw traffic before the SDK does:
 *
 * - requests from the server never reach the SDK: the inbound gate answers them here;
 * - `notifications/progress` never reach the SDK either: the host tracks its own progress
 *   tokens (the SDK's are message ids, and it would only log unknown ones);
 * - everything else is shown to the host's hooks, then handed on;
 * - outbound messages are shown to the hooks before they are written (the host learns each
 *   call's JSON-RPC id this way).
 *
 * @module
 */
import type { InboundAnswer, InboundRequest } from "./inbound_gate.ts";
import type { JSONRPCMessage, Transport, TransportSendOptions } from "./sdk.ts";

/** What the host does with the traffic. Hooks must not throw; failures are theirs to report. */
export interface WireHooks {
  serverRequest(request: InboundRequest): Promise<InboundAnswer>;
  progress(params: unknown): void;
  notification(method: string, params: unknown): void;
  response(id: string | number, message: JSONRPCMessage): void;
  outbound(message: JSONRPCMessage): void;
  problem(error: Error): void;
}

type Raw = Record<string, unknown>;

/** A `Transport` that wraps another and runs the host's hooks on every message. */
export class TappedTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  readonly #inner: Transport;
  readonly #hooks: WireHooks;

  constructor(inner: Transport, hooks: WireHooks) {
    this.#inner = inner;
    this.#hooks = hooks;
  }

  get sessionId(): string | undefined {
    return this.#inner.sessionId;
  }

  setProtocolVersion(version: string): void {
    this.#inner.setProtocolVersion?.(version);
  }

  start(): Promise<void> {
    this.#inner.onmessage = (message) => this.#inbound(message);
    // The SDK passes transport errors on to the client's onerror, where the host records them.
    this.#inner.onerror = (error) => this.onerror?.(error);
    this.#inner.onclose = () => this.onclose?.();
    return this.#inner.start();
  }

  #inbound(message: JSONRPCMessage): void {
    const raw = message as unknown as Raw;
    const method = typeof raw.method === "string" ? raw.method : null;
    const hasId = typeof raw.id === "string" || typeof raw.id === "number";
    if (method !== null && hasId) {
      const request: InboundRequest = { id: raw.id as string | number, method, params: raw.params };
      void this.#answer(request);
      return;
    }
    if (method === "notifications/progress") {
      this.#hooks.progress(raw.params);
      return;
    }
    if (method !== null) this.#hooks.notification(method, raw.params);
    else if (hasId) this.#hooks.response(raw.id as string | number, message);
    this.onmessage?.(message);
  }

  async #answer(request: InboundRequest): Promise<void> {
    const answer = await this.#hooks.serverRequest(request);
    const reply = answer.error
      ? { jsonrpc: "2.0" as const, id: request.id, error: answer.error }
      : { jsonrpc: "2.0" as const, id: request.id, result: answer.result ?? {} };
    await this.#inner.send(reply as JSONRPCMessage).catch((error: unknown) =>
      this.#hooks.problem(error instanceof Error ? error : new Error(String(error)))
    );
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    this.#hooks.outbound(message);
    return this.#inner.send(message, options);
  }

  /** Sends a notification the SDK has no type for (e.g. `notifications/resource_released`). */
  notify(method: string, params: Record<string, unknown>): Promise<void> {
    return this.send({ jsonrpc: "2.0", method, params } as JSONRPCMessage);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
