/**
 * Screens `notifications/cancelled` at the transport, before the SDK acts on it: a cancellation
 * is honoured only when it names a request of this session that is still unanswered. Anything
 * else (an id never received, one already answered, a task-augmented call whose answer was the
 * task) is reported as refused and dropped, so a stray or forged id can never reach a handler.
 *
 * The check runs on the message stream itself: a request and its cancellation can arrive in the
 * same read, before the SDK has even started the request's handler.
 *
 * @module
 */
import { ForwardingTransport, type MessageExtra } from "./forwarding_transport.ts";
import type { JSONRPCMessage, Transport, TransportSendOptions } from "./sdk.ts";

type RequestId = string | number;

const key = (id: RequestId) => `${typeof id}:${id}`;

/** What the session learns about each `notifications/cancelled`. */
export interface CancellationReport {
  /** The request id the client named; undefined when it named none usable. */
  requestId: RequestId | undefined;
  /** Whether that request was received and not yet answered (the cancellation goes through). */
  running: boolean;
  /** The client's reason, cut to 200 characters. */
  reason: string | undefined;
}

function cancellationOf(message: JSONRPCMessage): CancellationReport | null {
  if (!("method" in message) || "id" in message) return null;
  if (message.method !== "notifications/cancelled") return null;
  const params = (message.params ?? {}) as { requestId?: unknown; reason?: unknown };
  const id = params.requestId;
  return {
    requestId: typeof id === "string" || typeof id === "number" ? id : undefined,
    running: false,
    reason: typeof params.reason === "string" ? params.reason.slice(0, 200) : undefined,
  };
}

/** Wraps a transport; see the module doc. */
export class AuditedTransport extends ForwardingTransport {
  readonly #unanswered = new Set<string>();
  readonly #onCancellation: (report: CancellationReport) => void;

  constructor(inner: Transport, onCancellation: (report: CancellationReport) => void) {
    super(inner);
    this.#onCancellation = onCancellation;
  }

  protected override receive(message: JSONRPCMessage, extra: MessageExtra): void {
    if ("method" in message && "id" in message) this.#unanswered.add(key(message.id));
    const cancellation = cancellationOf(message);
    if (cancellation !== null) {
      const id = cancellation.requestId;
      cancellation.running = id !== undefined && this.#unanswered.delete(key(id));
      this.#onCancellation(cancellation);
      if (!cancellation.running) return;
    }
    this.onmessage?.(message, extra);
  }

  override send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    // A response (result or error) answers its request: a later cancellation is too late.
    if (!("method" in message) && "id" in message && message.id !== undefined) {
      this.#unanswered.delete(key(message.id));
    }
    return super.send(message, options);
  }
}
