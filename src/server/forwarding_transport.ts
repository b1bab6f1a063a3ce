/**
 * The base of the server's transport wrappers (cancellation screening, pending-request tracking,
 * the HTTP session's secret hiding): everything is handed on to the wrapped transport, and a
 * wrapper overrides only `receive` (incoming) or `send` (outgoing) for what it adds.
 *
 * @module
 */
import type { JSONRPCMessage, Transport, TransportSendOptions } from "./sdk.ts";

/** What the SDK passes along with an incoming message (request info, auth). */
export type MessageExtra = Parameters<NonNullable<Transport["onmessage"]>>[1];

/** A `Transport` that forwards every call and event to `inner`. */
export class ForwardingTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport["onmessage"];
  protected readonly inner: Transport;

  constructor(inner: Transport) {
    this.inner = inner;
    inner.onmessage = (message, extra) => this.receive(message, extra);
    inner.onclose = () => this.onclose?.();
    inner.onerror = (error) => this.onerror?.(error);
  }

  /** An incoming message; handed on to `onmessage` unchanged unless a wrapper overrides this. */
  protected receive(message: JSONRPCMessage, extra: MessageExtra): void {
    this.onmessage?.(message, extra);
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.inner.send(message, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
