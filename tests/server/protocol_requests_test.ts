/**
 * The protocol's own traffic through the observers: `ping` and unknown methods are decided by the
 * Gate (unknown ones stay -32601), and client notifications are reported: a cancellation that
 * names a running request goes through, any other one is refused and never reaches a handler.
 */
import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/types"
import { CallToolResultSchema, EmptyResultSchema } from "@modelcontextprotocol/sdk/types.js";
import type { FlightEvent } from "../../src/recorder/mod.ts";
import { createGateObserver, READ_ONLY_PROFILE } from "../../src/security/mod.ts";
import type { ObservedNotification, RequestObserver } from "../../src/server/mod.ts";
import { leftoverRecorder } from "../../src/server/audit_chain.ts";
import { connect, ErrorCode, McpError } from "./support.ts";
import { echoTool, slowTool } from "./test_tools.ts";

/** Resolves once `ready()` holds, checking every few milliseconds (notifications are async). */
async function eventually(ready: () => boolean): Promise<void> {
  for (let tries = 0; !ready(); tries++) {
    if (tries > 500) throw new Error("the condition never held");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function gateWith(events: FlightEvent[]): RequestObserver {
  return createGateObserver({
    context: { profile: READ_ONLY_PROFILE, mode: "read-only" },
    resolvePath: (path) => Promise.resolve(path),
    record: (event) => void events.push(event),
  });
}

const methodOf = (event: FlightEvent) => (event.payload as { method: string }).method;

Deno.test("ping, initialize and unknown methods are decided by the Gate; unknown ones stay -32601", async () => {
  const events: FlightEvent[] = [];
  const session = await connect({ tools: [echoTool], observers: [gateWith(events)] });
  try {
    await session.client.ping();
    await assert.rejects(
      session.client.request({ method: "cobre/shutdown", params: {} }, EmptyResultSchema),
      (error: unknown) => error instanceof McpError && error.code === ErrorCode.MethodNotFound,
    );
    // Listed by the Gate but served by no handler here: still -32601, still decided.
    await assert.rejects(
      session.client.request(
        { method: "resources/subscribe", params: { uri: "cobre://x" } },
        EmptyResultSchema,
      ),
      (error: unknown) => error instanceof McpError && error.code === ErrorCode.MethodNotFound,
    );
    const decisions = events.filter((e) => e.kind === "mcp.gate_decision");
    assert.deepEqual(decisions.map((e) => [methodOf(e), e.gateDecision]), [
      ["initialize", "allow"],
      ["ping", "allow"],
      ["cobre/shutdown", "deny"],
      ["resources/subscribe", "allow"],
    ]);
  } finally {
    await session.close();
  }
});

Deno.test("a cancellation for no running request is refused and recorded; it cancels nothing", async () => {
  const notified: ObservedNotification[] = [];
  const events: FlightEvent[] = [];
  const probe = { aborted: false, reason: undefined as unknown };
  const session = await connect({
    tools: [slowTool(probe, null)],
    observers: [
      { notified: (n) => void notified.push(n) },
      leftoverRecorder((event) => void events.push(event), () => ({
        jobId: null,
        taskId: null,
        workflowRunId: null,
        traceId: null,
      }))("read-only"),
    ],
  });
  try {
    const call = session.client.request(
      { method: "tools/call", params: { name: "test/slow", arguments: { ms: 150 } } },
      CallToolResultSchema,
    );
    // The SDK client numbers requests from 0 (initialize): the call above is 1, 999 is forged.
    await session.client.notification({
      method: "notifications/cancelled",
      params: { requestId: 999, reason: "forged" },
    });
    const result = await call;
    assert.deepEqual(result.structuredContent, { slept_ms: 150 }, "the running call went on");
    assert.equal(probe.aborted, false);
    await eventually(() => notified.length === 1);
    assert.deepEqual(notified[0], {
      method: "notifications/cancelled",
      sessionId: session.server.sessionId,
      serverId: session.server.serverId,
      verdict: "refused",
      reason: "unknown_request",
      requestId: 999,
      clientReason: "forged",
    });
    // A late cancellation of the call that has just answered is refused the same way.
    await session.client.notification({
      method: "notifications/cancelled",
      params: { requestId: 1 },
    });
    await eventually(() => notified.length === 2);
    assert.equal(notified[1]?.verdict, "refused");
    assert.deepEqual(
      events.map((e) => [e.kind, e.clientClaims?.request_id]),
      [["mcp.request_refused", 999], ["mcp.request_refused", 1]],
    );
  } finally {
    await session.close();
  }
});

Deno.test("a cancellation naming a running call goes through and is reported as accepted", async () => {
  const notified: ObservedNotification[] = [];
  const probe = { aborted: false, reason: undefined as unknown };
  const session = await connect({
    tools: [slowTool(probe, null)],
    observers: [{ notified: (n) => void notified.push(n) }],
  });
  try {
    const abort = new AbortController();
    const call = session.client.request(
      { method: "tools/call", params: { name: "test/slow", arguments: { ms: 10_000 } } },
      CallToolResultSchema,
      { signal: abort.signal },
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    abort.abort("the user changed their mind");
    await assert.rejects(call);
    await eventually(() => probe.aborted);
    assert.equal(notified.length, 1);
    assert.equal(notified[0]?.verdict, "accepted");
    assert.equal(notified[0]?.reason, null);
    assert.equal(typeof notified[0]?.requestId, "number");
  } finally {
    await session.close();
  }
});

Deno.test("a notification no handler takes is reported as refused", async () => {
  const notified: ObservedNotification[] = [];
  const session = await connect({
    tools: [echoTool],
    observers: [{ notified: (n) => void notified.push(n) }],
  });
  try {
    await session.client.notification({ method: "notifications/made_up" });
    await eventually(() => notified.length === 1);
    assert.equal(notified[0]?.method, "notifications/made_up");
    assert.equal(notified[0]?.verdict, "refused");
    assert.equal(notified[0]?.reason, "unhandled_method");
  } finally {
    await session.close();
  }
});
