import assert from "node:assert/strict";
import type { ToolDefinition } from "../../../src/server/mod.ts";
import { LoggingMessageNotificationSchema } from "../support.ts";
import { loggingTool, plainTools } from "../test_tools.ts";
import {
  connectClient,
  errorRecordOf,
  eventually,
  MCP_POST_HEADERS,
  openRawSession,
  send,
  withHttpServer,
} from "./support.ts";

Deno.test("an HTTP session initializes, lists and calls tools, and ends with DELETE (then 404)", async () => {
  await withHttpServer({}, async ({ url, handle }) => {
    const { client, transport } = await connectClient(url);
    const sessionId = transport.sessionId;
    assert.match(sessionId ?? "", /^[0-9a-f-]{36}$/);
    const tools = await client.listTools();
    assert.deepEqual(tools.tools.map((tool) => tool.name), plainTools.map((tool) => tool.name));
    const result = await client.callTool({
      name: "test/echo",
      arguments: { message: "hi", repeat: 2 },
    });
    assert.deepEqual(result.structuredContent, { echoed: ["hi", "hi"] });
    assert.equal(handle.stats().sessions, 1);

    await transport.terminateSession();
    assert.equal(handle.stats().sessions, 0);
    assert.equal(handle.stats().storedEvents, 0, "a session's events go with it");
    const after = await send(url, {
      method: "POST",
      headers: { ...MCP_POST_HEADERS, "mcp-session-id": sessionId! },
      body: JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/list" }),
    });
    assert.equal(after.status, 404);
    assert.equal((after.json as { error: { code: number } }).error.code, -32001);
    await client.close();
  });
});

Deno.test("each HTTP session has its own server: one session's log level does not touch another's", async () => {
  await withHttpServer({ tools: [loggingTool] }, async ({ url }) => {
    const quiet = await connectClient(url);
    const chatty = await connectClient(url);
    const heard = { quiet: [] as string[], chatty: [] as string[] };
    quiet.client.setNotificationHandler(
      LoggingMessageNotificationSchema,
      (note) => void heard.quiet.push(note.params.level),
    );
    chatty.client.setNotificationHandler(
      LoggingMessageNotificationSchema,
      (note) => void heard.chatty.push(note.params.level),
    );
    await quiet.client.setLoggingLevel("error");
    await quiet.client.callTool({ name: "test/log", arguments: {} });
    await chatty.client.callTool({ name: "test/log", arguments: {} });
    assert.deepEqual(heard.quiet, ["error"]);
    assert.deepEqual(heard.chatty, ["info", "warning", "error"]);
    assert.notEqual(quiet.transport.sessionId, chatty.transport.sessionId);
    await quiet.client.close();
    await chatty.client.close();
  });
});

Deno.test("progress notifications stream over SSE while a call runs", async () => {
  await withHttpServer({}, async ({ url }) => {
    const { client } = await connectClient(url);
    const seen: { progress: number; message: string | undefined }[] = [];
    const result = await client.callTool(
      { name: "test/progress", arguments: { steps: 5 } },
      undefined,
      { onprogress: ({ progress, message }) => void seen.push({ progress, message }) },
    );
    assert.deepEqual(result.structuredContent, { steps: 5 });
    assert.deepEqual(seen.map((update) => update.progress), [1, 2, 3, 4, 5]);
    assert.equal(seen[2]?.message, "iteration 3");
    await client.close();
  });
});

/** A tool that reports step 1, waits for the test to open `gate`, then reports 2..4. */
function gatedProgressTool(
  gate: Promise<void>,
): ToolDefinition<Record<string, never>, { done: boolean }> {
  return {
    name: "test/gated-progress",
    title: "Gated progress",
    description: "Reports progress around a pause the test controls.",
    inputSchema: { type: "object", properties: {} },
    outputSchema: { type: "object", properties: { done: { type: "boolean" } }, required: ["done"] },
    annotations: {},
    timeoutMs: 20_000,
    access: "read",
    handler: async (_args, ctx) => {
      await ctx.sendProgress({ progress: 1, message: "before the drop" });
      await gate;
      for (const step of [2, 3, 4]) await ctx.sendProgress({ progress: step });
      return { done: true };
    },
  };
}

/**
 * A fetch that drops the connection of the first tools/call answer right after its first
 * progress event, as a flaky network would.
 */
function droppingFetch(): { fetch: typeof fetch; dropped: Promise<void> } {
  let markDropped: () => void = () => {};
  const dropped = new Promise<void>((resolve) => (markDropped = resolve));
  let armed = true;
  const dropping: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const body = typeof init?.body === "string" ? init.body : "";
    if (!armed || !body.includes('"tools/call"') || response.body === null) return response;
    armed = false;
    const decoder = new TextDecoder();
    const cut = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        controller.enqueue(chunk);
        if (decoder.decode(chunk).includes("notifications/progress")) {
          controller.error(new TypeError("connection reset (simulated)"));
          markDropped();
        }
      },
    });
    return new Response(response.body.pipeThrough(cut), {
      status: response.status,
      headers: response.headers,
    });
  };
  return { fetch: dropping, dropped };
}

Deno.test("a client whose SSE stream dropped resumes with Last-Event-ID and gets the progress it missed", async () => {
  let openGate: () => void = () => {};
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  await withHttpServer(
    { tools: [gatedProgressTool(gate)], retryIntervalMs: 200 },
    async ({ url, handle }) => {
      const network = droppingFetch();
      const { client } = await connectClient(url, { fetch: network.fetch });
      const seen: number[] = [];
      const call = client.callTool(
        { name: "test/gated-progress", arguments: {} },
        undefined,
        { onprogress: ({ progress }) => void seen.push(progress), timeout: 20_000 },
      );
      await network.dropped;
      // The server notices the dropped stream (only the standalone GET stays open) ...
      await eventually(() => handle.stats().openExchanges === 1);
      // ... and the rest of the run happens while the client is away.
      openGate();
      const result = await call;
      assert.deepEqual(result.structuredContent, { done: true });
      assert.deepEqual(seen, [1, 2, 3, 4]);
      await client.close();
    },
  );
});

Deno.test("DELETE ends the session for every later request, GET included", async () => {
  await withHttpServer({}, async ({ url, handle }) => {
    const id = await openRawSession(url);
    const deleted = await send(url, { method: "DELETE", headers: { "mcp-session-id": id } });
    assert.equal(deleted.status, 200);
    const get = await send(url, {
      method: "GET",
      headers: { Accept: "text/event-stream", "mcp-session-id": id },
    });
    assert.equal(get.status, 404);
    assert.equal(errorRecordOf(get.json).message, "Session not found");
    assert.equal(handle.stats().sessionsClosed, 1);
  });
});

Deno.test("a session idle longer than the limit expires: its id then gets 404", async () => {
  await withHttpServer({ limits: { sessionIdleMs: 50 } }, async ({ url, handle }) => {
    const id = await openRawSession(url);
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(await handle.sweepIdleSessions(), 1);
    const after = await send(url, {
      method: "POST",
      headers: { ...MCP_POST_HEADERS, "mcp-session-id": id },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "ping" }),
    });
    assert.equal(after.status, 404);
  });
});

Deno.test("SSE streams follow the negotiated protocol: a priming event with an id and retry comes first", async () => {
  await withHttpServer({ retryIntervalMs: 1500 }, async ({ url }) => {
    const id = await openRawSession(url); // negotiates 2025-11-25
    // A client that names an older (supported) version in the header still gets the
    // negotiated stream format, priming event included.
    const answer = await send(url, {
      method: "POST",
      headers: { ...MCP_POST_HEADERS, "mcp-session-id": id, "mcp-protocol-version": "2025-03-26" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 5, method: "tools/list" }),
    });
    assert.equal(answer.status, 200);
    assert.match(answer.text, /^id: \d+\nretry: 1500\ndata: \n\n/);
    assert.match(answer.text, /event: message\nid: \d+\ndata: \{"result":\{"tools"/);
  });
});
