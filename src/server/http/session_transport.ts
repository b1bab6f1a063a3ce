/**
 * The SDK transport of one session as its MCP server sees it. Two things are hidden from the
 * server and everything built on it (handlers, Gate, Flight Recorder, job and task stores, ref
 * registry): the `Mcp-Session-Id`, which is a bearer secret, replaced by the session's audit
 * id; and the credential headers (`Authorization`, `Mcp-Session-Id`, `Cookie`) of each request.
 * Nothing downstream can then write a secret into a log or a database by accident.
 *
 * @module
 */
import { ForwardingTransport, type MessageExtra } from "../forwarding_transport.ts";
import type { JSONRPCMessage, Transport } from "../sdk.ts";

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
export class SessionTransport extends ForwardingTransport {
  readonly #auditId: string;

  constructor(inner: Transport, auditId: string) {
    super(inner);
    this.#auditId = auditId;
  }

  override get sessionId(): string {
    return this.#auditId;
  }

  protected override receive(message: JSONRPCMessage, extra: MessageExtra): void {
    this.onmessage?.(message, withoutSecrets(extra));
  }
}
