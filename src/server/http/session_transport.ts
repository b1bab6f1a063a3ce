/**
 * The SDK transport of one session as its MCP server sees it. Two things are hidden from the
 * server and everything built on it (handlers, Gate, Flight Recorder, job and task stores, ref
 * registry): the `Mcp-Session-Id`, which is a bearer secret, replaced by the session's audit
 * id; and the credential headers (`Authorization`, `Mcp-Session-Id`, `Cookie`) of each request.
 * Nothing downstream can then write a secret into a log or a database by accident.
 *
 * @module
 */
import type { JSONRPCMessage, Transport, TransportSendOptions } from "../sdk.ts";

type MessageExtra = Parameters<NonNullable<Transport["onmessage"]>>[1];

const SECRET_HEADERS = new Set([
  "authorization",
  "mcp-session-id",
  "cookie",
  "proxy-authorization",
]);

function withoutSecrets(extra: MessageExtra): MessageExtra {
  const info = extra?.requestInfo;
  if (!info) return extra;
  const headers = Object.fromEntries(
    Object.entries(info.headers).filter(([name]) => !SECRET_HEADERS.has(name.toLowerCase())),
  );
  return { ...extra, requestInfo: { ...info, headers } };
}

/** Wraps `inner` so the server sees `auditId` as the session id and no credential headers. */
export class SessionTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport["onmessage"];
  readonly sessionId: string;
  readonly #inner: Transport;

  constructor(inner: Transport, auditId: string) {
    this.#inner = inner;
    this.sessionId = auditId;
    inner.onmessage = (message, extra) => this.onmessage?.(message, withoutSecrets(extra));
    inner.onclose = () => this.onclose?.();
    inner.onerror = (error) => this.onerror?.(error);
  }

  start(): Promise<void> {
    return this.#inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.#inner.send(message, options);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  setProtocolVersion(version: string): void {
    this.#inner.setProtocolVersion?.(version);
  }
}
