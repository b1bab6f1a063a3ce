import assert from "node:assert/strict";
import type { ToolDefinition } from "../../../src/server/mod.ts";
import { echoTool } from "../test_tools.ts";
import {
  connectClient,
  errorRecordOf,
  eventually,
  initializeBody,
  MCP_POST_HEADERS,
  openRawSession,
  portOf,
  send,
  withHttpServer,
} from "./support.ts";

const ping = (id: number) => JSON.stringify({ jsonrpc: "2.0", id, method: "ping" });

Deno.test("malformed requests get clear HTTP and JSON-RPC errors and open no session", async () => {
  await withHttpServer({ limits: { maxBodyBytes: 1024 } }, async ({ url, handle }) => {
    const cases: { name: string; init: RequestInit; status: number; code: number }[] = [
      {
        name: "wrong content type",
        init: {
          method: "POST",
          headers: { ...MCP_POST_HEADERS, "Content-Type": "text/plain" },
          body: initializeBody(),
        },
        status: 415,
        code: -32000,
      },
      {
        name: "content type by substring",
        init: {
          method: "POST",
          headers: { ...MCP_POST_HEADERS, "Content-Type": "application/jsonx" },
          body: initializeBody(),
        },
        status: 415,
        code: -32000,
      },
      {
        name: "Accept without text/event-stream",
        init: {
          method: "POST",
          headers: { ...MCP_POST_HEADERS, Accept: "application/json" },
          body: initializeBody(),
        },
        status: 406,
        code: -32000,
      },
      {
        name: "malformed JSON",
        init: {
          method: "POST",
          headers: MCP_POST_HEADERS,
          body: '{"jsonrpc": "2.0", "id": 1, "method": ',
        },
        status: 400,
        code: -32700,
      },
      {
        name: "not JSON-RPC",
        init: { method: "POST", headers: MCP_POST_HEADERS, body: '{"hello": "world"}' },
        status: 400,
        code: -32000,
      },
      {
        name: "oversized body",
        init: { method: "POST", headers: MCP_POST_HEADERS, body: `{"pad": "${"x".repeat(2048)}"}` },
        status: 413,
        code: -32000,
      },
      {
        name: "oversized streamed body (no Content-Length)",
        init: {
          method: "POST",
          headers: MCP_POST_HEADERS,
          body: new Blob([`{"pad": "${"x".repeat(4096)}"}`]).stream(),
        },
        status: 413,
        code: -32000,
      },
      {
        name: "request without a session",
        init: { method: "POST", headers: MCP_POST_HEADERS, body: ping(1) },
        status: 400,
        code: -32000,
      },
      {
        name: "unknown session id",
        init: {
          method: "POST",
          headers: { ...MCP_POST_HEADERS, "mcp-session-id": crypto.randomUUID() },
          body: ping(1),
        },
        status: 404,
        code: -32001,
      },
      {
        name: "GET without a session",
        init: { method: "GET", headers: { Accept: "text/event-stream" } },
        status: 400,
        code: -32000,
      },
      {
        name: "PUT",
        init: { method: "PUT", headers: MCP_POST_HEADERS, body: ping(1) },
        status: 405,
        code: -32000,
      },
    ];
    for (const { name, init, status, code } of cases) {
      const answer = await send(url, init);
      assert.equal(answer.status, status, name);
      assert.equal((answer.json as { error: { code: number } }).error.code, code, name);
      if (status === 405) assert.equal(answer.headers.get("allow"), "GET, POST, DELETE");
    }
    const wrongPath = await send(url.replace("/mcp", "/sse"), { method: "GET" });
    assert.equal(wrongPath.status, 404);
    assert.match(errorRecordOf(wrongPath.json).message, /endpoint is \/mcp/);
    assert.equal(handle.stats().sessionsOpened, 0);
  });
});

Deno.test("inside a session, bad bodies are refused the same way and the session lives on", async () => {
  await withHttpServer({ limits: { maxBodyBytes: 1024 } }, async ({ url }) => {
    const id = await openRawSession(url);
    const inSession = { ...MCP_POST_HEADERS, "mcp-session-id": id };
    const oversized = await send(url, {
      method: "POST",
      headers: inSession,
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 2,
        method: "ping",
        params: { pad: "x".repeat(2048) },
      }),
    });
    assert.equal(oversized.status, 413);
    const garbage = await send(url, { method: "POST", headers: inSession, body: "][" });
    assert.equal(garbage.status, 400);
    const reinit = await send(url, { method: "POST", headers: inSession, body: initializeBody(3) });
    assert.equal(reinit.status, 400);
    const pong = await send(url, { method: "POST", headers: inSession, body: ping(4) });
    assert.equal(pong.status, 200);
    assert.match(pong.text, /"id":4/);
  });
});

Deno.test("a session over its request rate gets 429 with Retry-After", async () => {
  await withHttpServer(
    { limits: { requestsPerSecond: 0.5, requestBurst: 3 } },
    async ({ url, handle }) => {
      const id = await openRawSession(url); // the initialized notification takes one token
      const headers = { ...MCP_POST_HEADERS, "mcp-session-id": id };
      const statuses: number[] = [];
      let refused: Awaited<ReturnType<typeof send>> | null = null;
      for (let n = 0; n < 4; n++) {
        const answer = await send(url, { method: "POST", headers, body: ping(10 + n) });
        statuses.push(answer.status);
        if (answer.status === 429) refused = answer;
      }
      assert.deepEqual(statuses, [200, 200, 429, 429]);
      assert.equal(refused?.headers.get("retry-after"), "2");
      assert.equal(errorRecordOf(refused?.json).kind, "Busy");
      assert.equal(handle.stats().refusals[429], 2);
    },
  );
});

/** Waits until the test opens `gate`. */
function waitingTool(gate: Promise<void>): ToolDefinition<Record<string, never>, object> {
  return {
    name: "test/wait",
    title: "Wait",
    description: "Waits for the test.",
    inputSchema: { type: "object", properties: {} },
    outputSchema: { type: "object", properties: {} },
    annotations: {},
    timeoutMs: 20_000,
    access: "read",
    handler: async () => {
      await gate;
      return {};
    },
  };
}

Deno.test("a session with too many requests open at once gets 429 until one finishes", async () => {
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  await withHttpServer(
    { tools: [waitingTool(gate), echoTool], limits: { maxOpenExchanges: 2 } },
    async ({ url, handle }) => {
      const { client } = await connectClient(url); // its standalone GET stream holds one
      await eventually(() => handle.stats().openExchanges === 1);
      const waiting = client.callTool({ name: "test/wait", arguments: {} });
      await eventually(() => handle.stats().openExchanges === 2);
      await assert.rejects(
        client.callTool({ name: "test/echo", arguments: { message: "x" } }),
        /429|Too Many Requests/,
      );
      open();
      await waiting;
      const after = await client.callTool({ name: "test/echo", arguments: { message: "y" } });
      assert.deepEqual(after.structuredContent, { echoed: ["y"] });
      await client.close();
    },
  );
});

Deno.test("new sessions beyond the limit get 503 with Retry-After", async () => {
  await withHttpServer({ limits: { maxSessions: 1 } }, async ({ url }) => {
    await openRawSession(url);
    const second = await send(url, {
      method: "POST",
      headers: MCP_POST_HEADERS,
      body: initializeBody(),
    });
    assert.equal(second.status, 503);
    assert.equal(second.headers.get("retry-after"), "30");
    assert.equal(errorRecordOf(second.json).kind, "Busy");
  });
});

Deno.test("concurrent initializes never overshoot the session limit", async () => {
  await withHttpServer({ limits: { maxSessions: 2 } }, async ({ url, handle }) => {
    const answers = await Promise.all(
      Array.from(
        { length: 6 },
        () => send(url, { method: "POST", headers: MCP_POST_HEADERS, body: initializeBody() }),
      ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    assert.deepEqual(statuses, [200, 200, 503, 503, 503, 503]);
    assert.equal(handle.stats().sessions, 2);
  });
});

/** Logs `count` messages of `size` characters (notifications that may not be dropped). */
function floodTool(
  count: number,
  size: number,
): ToolDefinition<Record<string, never>, { sent: number }> {
  return {
    name: "test/flood",
    title: "Flood",
    description: "Logs a lot.",
    inputSchema: { type: "object", properties: {} },
    outputSchema: { type: "object", properties: { sent: { type: "integer" } } },
    annotations: {},
    timeoutMs: 60_000,
    access: "read",
    handler: async (_args, ctx) => {
      const text = "z".repeat(size);
      for (let n = 0; n < count; n++) {
        await ctx.sendProgress({ progress: n, message: text });
        ctx.logger.warning(text, { n });
        if (n % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
      }
      return { sent: count };
    },
  };
}

Deno.test("a client that never reads its SSE stream is cut off at the bound; the server stays responsive", async () => {
  const maxQueuedSseBytes = 256 * 1024;
  await withHttpServer(
    {
      tools: [floodTool(2_500, 8_192), echoTool],
      limits: { maxQueuedSseBytes, maxStoredEventBytes: 1024 * 1024 },
      logOptions: { stderrLevel: "error" },
    },
    async ({ url, handle }) => {
      const id = await openRawSession(url);
      await send(url, {
        method: "POST",
        headers: { ...MCP_POST_HEADERS, "mcp-session-id": id },
        body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
      });
      // A raw socket that sends the call and then never reads a byte.
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: portOf(url) });
      const body = JSON.stringify({
        jsonrpc: "2.0",
        id: 7,
        method: "tools/call",
        params: { name: "test/flood", arguments: {}, _meta: { progressToken: "p" } },
      });
      const request = [
        "POST /mcp HTTP/1.1",
        `Host: 127.0.0.1:${portOf(url)}`,
        "Content-Type: application/json",
        "Accept: application/json, text/event-stream",
        `Mcp-Session-Id: ${id}`,
        `Content-Length: ${body.length}`,
        "",
        body,
      ].join("\r\n");
      await conn.write(new TextEncoder().encode(request));
      await eventually(() => handle.stats().sseStreamsCut === 1, 30_000);
      const stats = handle.stats();
      assert.ok(
        stats.peakQueuedSseBytes <= maxQueuedSseBytes,
        `queued ${stats.peakQueuedSseBytes} bytes for one client (limit ${maxQueuedSseBytes})`,
      );
      assert.ok(stats.progressDropped > 0, "progress was dropped before the stream was cut");
      assert.ok(stats.storedEventBytes <= 1.1 * 1024 * 1024, `${stats.storedEventBytes} stored`);
      // Meanwhile another client is served as usual.
      const { client } = await connectClient(url);
      const echoed = await client.callTool({
        name: "test/echo",
        arguments: { message: "still here" },
      });
      assert.deepEqual(echoed.structuredContent, { echoed: ["still here"] });
      await client.close();
      conn.close();
    },
  );
});
