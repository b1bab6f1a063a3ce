import assert from "node:assert/strict";
import {
  boundedJson,
  clientClaimsFrom,
  EVENT_KINDS,
  type FlightEvent,
  LIMITS,
  toPendingRow,
} from "../../src/recorder/mod.ts";

const stamp = { eventId: "e1", seq: 0, tsMs: 0, serverId: "srv" };

Deno.test("EVENT_KINDS covers every kind the audit trail must hold", () => {
  for (
    const kind of [
      "mcp.session_open",
      "mcp.session_close",
      "mcp.tool_call",
      "mcp.tool_result",
      "mcp.gate_decision",
      "mcp.progress",
      "mcp.logging",
      "mcp.resource_read",
      "mcp.cancelled",
      "mcp.ref_released",
    ]
  ) assert.ok((EVENT_KINDS as readonly string[]).includes(kind), kind);
});

Deno.test("toPendingRow() fills defaults and keeps trusted ids apart from client claims", () => {
  const row = toPendingRow({
    kind: "mcp.tool_call",
    source: "server",
    message: "call",
    jobId: "job-from-server",
    clientClaims: { jobId: "job-the-client-claims", traceparent: "00-x" },
  }, stamp);
  assert.equal(row.level, "info");
  assert.equal(row.jobId, "job-from-server");
  assert.equal(row.sessionId, null);
  assert.deepEqual(JSON.parse(row.clientClaimsJson!), {
    jobId: "job-the-client-claims",
    traceparent: "00-x",
  });
});

Deno.test("toPendingRow() refuses kinds, sources and levels outside the typed lists", () => {
  const base: FlightEvent = { kind: "mcp.tool_call", source: "server", message: "m" };
  const bad = [
    { ...base, kind: "sql'; DROP TABLE fr_events; --" },
    { ...base, source: "client" },
    { ...base, level: "loud" },
  ] as unknown as FlightEvent[];
  for (const event of bad) assert.throws(() => toPendingRow(event, stamp), TypeError);
});

Deno.test("toPendingRow() bounds hostile sizes", () => {
  const row = toPendingRow({
    kind: "mcp.logging",
    source: "server",
    message: "m".repeat(100_000),
    sessionId: "s".repeat(10_000),
    payload: { blob: "x".repeat(200_000) },
    clientClaims: { huge: "y".repeat(50_000) },
    durationMs: Number.NaN,
  }, stamp);
  assert.equal(row.message.length, LIMITS.message);
  assert.equal(row.sessionId!.length, LIMITS.id);
  assert.ok(row.payloadJson!.length <= LIMITS.payloadJson);
  assert.equal(JSON.parse(row.payloadJson!).truncated, true);
  assert.equal(JSON.parse(row.payloadJson!).original_chars, '{"blob":""}'.length + 200_000);
  assert.equal(JSON.parse(row.clientClaimsJson!).truncated, true);
  assert.equal(row.durationMs, null);
});

Deno.test("boundedJson() survives values JSON cannot encode", () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.deepEqual(JSON.parse(boundedJson(cyclic, 100)!), { unserialisable: true });
  assert.equal(boundedJson(undefined, 100), null);
  assert.equal(boundedJson({ a: 1 }, 100), '{"a":1}');
});

Deno.test("clientClaimsFrom() keeps _meta as claims and ignores non-objects", () => {
  assert.deepEqual(clientClaimsFrom({ progressToken: 7, "io.example/trace": "t" }), {
    progressToken: 7,
    "io.example/trace": "t",
  });
  assert.equal(clientClaimsFrom(undefined), null);
  assert.equal(clientClaimsFrom("x"), null);
  assert.equal(clientClaimsFrom([1, 2]), null);
  assert.equal(clientClaimsFrom({}), null);
});
