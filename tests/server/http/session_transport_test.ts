import assert from "node:assert/strict";
import type { Transport } from "../../../src/server/sdk.ts";
import { SessionTransport } from "../../../src/server/http/session_transport.ts";

type Message = Parameters<Transport["send"]>[0];
type Extra = Parameters<NonNullable<Transport["onmessage"]>>[1];

/** The SDK transport's side, as far as the wrapper touches it. */
function innerTransport(): Transport & { sent: Message[] } {
  const sent: Message[] = [];
  return {
    sessionId: "the-secret-mcp-session-id",
    sent,
    start: () => Promise.resolve(),
    send: (message: Message) => {
      sent.push(message);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}

Deno.test("SessionTransport shows the audit id and strips credential headers from each request", () => {
  const inner = innerTransport();
  const wrapped = new SessionTransport(inner, "audit-1234");
  assert.equal(wrapped.sessionId, "audit-1234");
  const seen: Extra[] = [];
  wrapped.onmessage = (_message, extra) => void seen.push(extra);
  inner.onmessage?.({ jsonrpc: "2.0", id: 1, method: "ping" }, {
    requestInfo: {
      headers: {
        authorization: "Bearer secret-token",
        "mcp-session-id": "the-secret-mcp-session-id",
        cookie: "a=b",
        "Proxy-Authorization": "Basic x",
        "user-agent": "agent/1.0",
      },
    },
  });
  assert.deepEqual(seen[0]?.requestInfo?.headers, { "user-agent": "agent/1.0" });
  assert.equal(JSON.stringify(seen).includes("secret"), false);
});

Deno.test("SessionTransport passes messages, closes and errors through unchanged", async () => {
  const inner = innerTransport();
  const wrapped = new SessionTransport(inner, "audit-1");
  const events: string[] = [];
  wrapped.onclose = () => void events.push("close");
  wrapped.onerror = (error) => void events.push(`error: ${error.message}`);
  await wrapped.send({ jsonrpc: "2.0", id: 1, result: {} });
  assert.deepEqual(inner.sent, [{ jsonrpc: "2.0", id: 1, result: {} }]);
  inner.onerror?.(new Error("boom"));
  inner.onclose?.();
  assert.deepEqual(events, ["error: boom", "close"]);
});
