/**
 * Counts requests that have arrived but not yet been answered, at the transport: a handler that
 * returned is not answered until its response is written, and draining before that would drop it.
 *
 * @module
 */
import { ForwardingTransport, type MessageExtra } from "./forwarding_transport.ts";
import type { JSONRPCMessage, Transport, TransportSendOptions } from "./sdk.ts";

type RequestId = string | number;

function idOf(message: JSONRPCMessage): RequestId | undefined {
  return "id" in message ? message.id : undefined;
}

const key = (id: RequestId) => `${typeof id}:${id}`;

/** The set of unanswered request ids and the waiters for it to empty. */
export class PendingRequests {
  #pending = new Set<string>();
  #idleWaiters = new Set<() => void>();

  /** Unanswered requests. */
  get size(): number {
    return this.#pending.size;
  }

  /** Notes an incoming message: a request opens, a cancellation closes (no response follows). */
  received(message: JSONRPCMessage): void {
    const id = idOf(message);
    if (id !== undefined && "method" in message) this.#pending.add(key(id));
    if ("method" in message && message.method === "notifications/cancelled") {
      const cancelled = (message.params as { requestId?: RequestId } | undefined)?.requestId;
      if (cancelled !== undefined) this.#settle(key(cancelled));
    }
  }

  /** Notes an outgoing message: a response closes its request. */
  sent(message: JSONRPCMessage): void {
    const id = idOf(message);
    if (id !== undefined && !("method" in message)) this.#settle(key(id));
  }

  /** Resolves when nothing is pending, or after `graceMs`. */
  idle(graceMs: number): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#idleWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, graceMs);
      this.#idleWaiters.add(done);
    });
  }

  #settle(id: string): void {
    if (!this.#pending.delete(id) || this.#pending.size > 0) return;
    for (const wake of [...this.#idleWaiters]) wake();
  }
}

/** Wraps a transport so `pending` sees every message that crosses it. */
export class TrackedTransport extends ForwardingTransport {
  readonly #pending: PendingRequests;

  constructor(inner: Transport, pending: PendingRequests) {
    super(inner);
    this.#pending = pending;
  }

  protected override receive(message: JSONRPCMessage, extra: MessageExtra): void {
    this.#pending.received(message);
    this.onmessage?.(message, extra);
  }

  override async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    try {
      await super.send(message, options);
    } finally {
      this.#pending.sent(message);
    }
  }
}
