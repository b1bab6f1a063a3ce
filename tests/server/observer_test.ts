import assert from "node:assert/strict";
import { errorRecord } from "../../src/common/mod.ts";
import type { ObservedRequest, RequestCompletion, RequestObserver } from "../../src/server/mod.ts";
import { connect, ErrorCode, McpError, parsedText } from "./support.ts";
import { echoTool, plainTools, progressTool, slowTool } from "./test_tools.ts";

/** Remembers everything it is told; admits unless `deny` says otherwise. */
function recordingObserver(deny: (request: ObservedRequest) => boolean = () => false) {
  const admitted: ObservedRequest[] = [];
  const finished: { request: ObservedRequest; completion: RequestCompletion }[] = [];
  const progress: { progress: number; sent: boolean }[] = [];
  const observer: RequestObserver = {
    admit(request) {
      admitted.push(request);
      return deny(request)
        ? { allow: false, error: errorRecord("PermissionDenied", "Not in this profile.") }
        : { allow: true };
    },
    finished(request, completion) {
      finished.push({ request, completion });
    },
    progress(_request, update, sent) {
      progress.push({ progress: update.progress, sent });
    },
  };
  return { observer, admitted, finished, progress };
}

Deno.test("observers see every request with its tool, ids and how it ended", async () => {
  const seen = recordingObserver();
  const session = await connect({
    tools: plainTools,
    observers: [seen.observer],
    serverId: "server-1",
    sessionId: "session-1",
  });
  try {
    await session.client.listTools();
    await session.client.callTool({ name: "test/echo", arguments: { message: "a" } });
    await session.client.callTool({ name: "test/echo", arguments: {} });
    // initialize too: the Gate decides every request the session receives.
    assert.deepEqual(seen.admitted.map((r) => r.method), [
      "initialize",
      "tools/list",
      "tools/call",
      "tools/call",
    ]);
    const call = seen.admitted[2];
    assert.equal(call?.serverId, "server-1");
    assert.equal(call?.sessionId, "session-1");
    assert.equal(call?.mode, "read-only");
    assert.deepEqual(call?.tool, {
      name: "test/echo",
      servedName: "test/echo",
      access: "read",
      timeoutMs: 5_000,
      arguments: { message: "a" },
    });
    assert.deepEqual(seen.finished.map((f) => f.completion.outcome), [
      "ok",
      "ok",
      "ok",
      "invalid-arguments",
    ]);
    assert.equal(seen.finished[3]?.completion.error?.kind, "InvalidArgument");
  } finally {
    await session.close();
  }
});

Deno.test("a denial from admit() ends the call with its record and the handler never runs", async () => {
  const seen = recordingObserver((request) => request.tool?.name === "test/slow");
  const probe = { aborted: false, reason: undefined as unknown };
  const session = await connect({ tools: [slowTool(probe, null)], observers: [seen.observer] });
  try {
    const result = await session.client.callTool({ name: "test/slow", arguments: { ms: 1 } });
    assert.equal(result.isError, true);
    assert.deepEqual(parsedText(result), {
      kind: "PermissionDenied",
      message: "Not in this profile.",
      context: {},
      suggestion: null,
    });
    const calls = seen.finished.filter((f) => f.request.method === "tools/call");
    assert.deepEqual(calls.map((f) => f.completion.outcome), ["denied"]);
  } finally {
    await session.close();
  }
});

Deno.test("a denied non-tool request is a JSON-RPC error", async () => {
  const seen = recordingObserver((request) => request.method === "tools/list");
  const session = await connect({ tools: plainTools, observers: [seen.observer] });
  try {
    await assert.rejects(
      session.client.listTools(),
      (error: unknown) => error instanceof McpError && error.code === ErrorCode.InvalidRequest,
    );
  } finally {
    await session.close();
  }
});

Deno.test("the timeout in an admission replaces the tool's own", async () => {
  const probe = { aborted: false, reason: undefined as unknown };
  const gate: RequestObserver = { admit: () => ({ allow: true, timeoutMs: 20 }) };
  const session = await connect({ tools: [slowTool(probe, null)], observers: [gate] });
  try {
    const result = await session.client.callTool({ name: "test/slow", arguments: { ms: 5_000 } });
    assert.equal((parsedText(result) as { kind: string }).kind, "Timeout");
    assert.equal(probe.aborted, true);
  } finally {
    await session.close();
  }
});

Deno.test("an observer whose admit() throws denies the request (fail closed)", async () => {
  const broken: RequestObserver = {
    admit: (request) => {
      if (request.method === "initialize") return { allow: true };
      throw new Error("profile store unavailable at /var/lib/secret");
    },
  };
  const session = await connect({ tools: [echoTool], observers: [broken] });
  try {
    const result = await session.client.callTool({
      name: "test/echo",
      arguments: { message: "x" },
    });
    assert.equal(result.isError, true);
    assert.equal((parsedText(result) as { kind: string }).kind, "PermissionDenied");
    assert.doesNotMatch(JSON.stringify(result), /secret/);
  } finally {
    await session.close();
  }
});

Deno.test("an observer whose finished() throws does not break the response", async () => {
  const broken: RequestObserver = {
    finished: () => {
      throw new Error("recorder down");
    },
  };
  const session = await connect({ tools: [echoTool], observers: [broken] });
  try {
    const result = await session.client.callTool({
      name: "test/echo",
      arguments: { message: "x" },
    });
    assert.deepEqual(result.structuredContent, { echoed: ["x"] });
    assert.ok(session.stderr.some((line) => line.includes("recorder down")));
  } finally {
    await session.close();
  }
});

Deno.test("unknown tools are InvalidParams even under a deny-all Gate, and observers hear of them", async () => {
  const seen = recordingObserver((request) => request.method !== "initialize");
  const session = await connect({ tools: [echoTool], observers: [seen.observer] });
  try {
    await assert.rejects(
      session.client.callTool({ name: "nope", arguments: {} }),
      (error: unknown) => error instanceof McpError && error.code === ErrorCode.InvalidParams,
    );
    assert.deepEqual(seen.admitted.map((r) => r.method), ["initialize"], "nothing to admit");
    const calls = seen.finished.filter((f) => f.request.method === "tools/call");
    assert.deepEqual(calls.map((f) => f.completion.outcome), ["protocol-error"]);
    assert.equal(calls[0]?.request.tool, null);
  } finally {
    await session.close();
  }
});

Deno.test("observers hear every progress update, sent or not", async () => {
  const seen = recordingObserver();
  const session = await connect({ tools: [progressTool], observers: [seen.observer] });
  try {
    await session.client.callTool({ name: "test/progress", arguments: { steps: 2 } });
    await session.client.callTool(
      { name: "test/progress", arguments: { steps: 1 } },
      undefined,
      { onprogress: () => {} },
    );
    assert.deepEqual(seen.progress, [
      { progress: 1, sent: false },
      { progress: 2, sent: false },
      { progress: 1, sent: true },
    ]);
    const calls = seen.admitted.filter((r) => r.method === "tools/call");
    assert.equal(typeof calls[1]?.progressToken, "number");
  } finally {
    await session.close();
  }
});
