import assert from "node:assert/strict";
import {
  PROGRESS_META_KEY,
  SERVER_META_KEY,
  WRITE_DISABLED_MESSAGE,
  WRITE_DISABLED_META_KEY,
} from "../../src/server/mod.ts";
import {
  CallToolResultSchema,
  connect,
  ErrorCode,
  InitializeResultSchema,
  LoggingMessageNotificationSchema,
  McpError,
  parsedText,
} from "./support.ts";
import {
  echoTool,
  failingTool,
  loggingTool,
  plainTools,
  progressTool,
  slowTool,
  writeTool,
} from "./test_tools.ts";

Deno.test("initialize declares only tools and logging, on protocol 2025-11-25", async () => {
  const session = await connect({ tools: plainTools });
  try {
    assert.deepEqual(session.client.getServerCapabilities(), {
      tools: { listChanged: false },
      logging: {},
    });
    assert.equal(session.client.getServerVersion()?.name, "cobre-mcp");
    assert.match(session.client.getInstructions() ?? "", /read-only/);
  } finally {
    await session.close();
  }
});

Deno.test("initialize accepts an older protocol version the SDK supports", async () => {
  const session = await connect({ tools: plainTools });
  try {
    // The SDK client negotiated the latest version; the server answers the raw request too.
    const result = await session.client.request(
      {
        method: "initialize",
        params: {
          protocolVersion: "2025-03-26",
          capabilities: {},
          clientInfo: { name: "old", version: "1" },
        },
      },
      InitializeResultSchema,
    );
    assert.equal(result.protocolVersion, "2025-03-26");
    // The server names itself, so a host knows its ref:// references without being told.
    assert.deepEqual(result._meta?.[SERVER_META_KEY], { server_id: session.server.serverId });
  } finally {
    await session.close();
  }
});

Deno.test("methods of capabilities not declared are refused with -32601", async () => {
  const session = await connect({ tools: plainTools });
  try {
    await assert.rejects(
      session.client.request(
        { method: "resources/list", params: {} },
        CallToolResultSchema,
      ),
      (error: unknown) => error instanceof McpError && error.code === ErrorCode.MethodNotFound,
    );
  } finally {
    await session.close();
  }
});

Deno.test("tools/list serves spec names, schemas and annotations as defined", async () => {
  const session = await connect({ tools: [echoTool] });
  try {
    const { tools } = await session.client.listTools();
    assert.equal(tools.length, 1);
    const [echo] = tools;
    assert.equal(echo?.name, "test/echo");
    assert.equal(echo?.title, "Echo");
    assert.deepEqual(echo?.inputSchema, echoTool.inputSchema);
    assert.deepEqual(echo?.outputSchema, echoTool.outputSchema);
    assert.deepEqual(echo?.annotations, {
      title: "Echo",
      readOnlyHint: true,
      idempotentHint: true,
    });
    assert.equal(echo?._meta, undefined);
  } finally {
    await session.close();
  }
});

Deno.test("portable naming serves and calls tools with '/' replaced by '_'", async () => {
  const session = await connect({ tools: [echoTool], toolNaming: "portable" });
  try {
    const { tools } = await session.client.listTools();
    assert.deepEqual(tools.map((t) => t.name), ["test_echo"]);
    for (const tool of tools) assert.match(tool.name, /^[a-zA-Z0-9_-]+$/);
    const result = await session.client.callTool({
      name: "test_echo",
      arguments: { message: "hi" },
    });
    assert.deepEqual(result.structuredContent, { echoed: ["hi"] });
    await assert.rejects(
      session.client.callTool({ name: "test/echo", arguments: { message: "hi" } }),
      (error: unknown) => error instanceof McpError && error.code === ErrorCode.InvalidParams,
    );
  } finally {
    await session.close();
  }
});

Deno.test("a successful call returns structuredContent and the same JSON as one text block", async () => {
  const session = await connect({ tools: plainTools });
  try {
    await session.client.listTools(); // makes the client validate structuredContent too
    const result = await session.client.callTool({
      name: "test/echo",
      arguments: { message: "storage", repeat: 2 },
    });
    assert.equal(result.isError, false);
    assert.deepEqual(result.structuredContent, { echoed: ["storage", "storage"] });
    assert.deepEqual(parsedText(result), result.structuredContent);
  } finally {
    await session.close();
  }
});

Deno.test("schema defaults are filled in before the handler runs", async () => {
  const session = await connect({ tools: plainTools });
  try {
    const result = await session.client.callTool({
      name: "test/echo",
      arguments: { message: "once" },
    });
    assert.deepEqual(result.structuredContent, { echoed: ["once"] });
  } finally {
    await session.close();
  }
});

const invalidArguments: { name: string; args: Record<string, unknown>; problem: RegExp }[] = [
  { name: "missing required", args: {}, problem: /argument "message" is required/ },
  {
    name: "unknown argument",
    args: { message: "x", extra: 1 },
    problem: /argument "extra" is not a known argument/,
  },
  { name: "wrong type", args: { message: 42 }, problem: /argument "message" must be string/ },
  {
    name: "outside an enum",
    args: { message: "x", mode: "quiet" },
    problem: /argument "mode" must be one of "plain", "loud"/,
  },
  { name: "out of range", args: { message: "x", repeat: 9 }, problem: /argument "repeat"/ },
];

for (const { name, args, problem } of invalidArguments) {
  Deno.test(`invalid arguments (${name}) give an InvalidArgument record, not a protocol error`, async () => {
    const session = await connect({ tools: plainTools });
    try {
      await session.client.listTools();
      const result = await session.client.callTool({ name: "test/echo", arguments: args });
      assert.equal(result.isError, true);
      assert.equal(result.structuredContent, undefined);
      const record = parsedText(result) as { kind: string; message: string; suggestion: string };
      assert.equal(record.kind, "InvalidArgument");
      assert.match(record.message, problem);
      assert.match(record.suggestion, /message \(required\)/);
    } finally {
      await session.close();
    }
  });
}

Deno.test("an unknown tool is a JSON-RPC InvalidParams error", async () => {
  const session = await connect({ tools: plainTools });
  try {
    await assert.rejects(
      session.client.callTool({ name: "cobre/nope", arguments: {} }),
      (error: unknown) =>
        error instanceof McpError && error.code === ErrorCode.InvalidParams &&
        /Unknown tool: cobre\/nope/.test(error.message),
    );
  } finally {
    await session.close();
  }
});

Deno.test("a CobreError from a handler reaches the agent as its record", async () => {
  const session = await connect({ tools: plainTools });
  try {
    const result = await session.client.callTool({
      name: "test/fail",
      arguments: { kind: "cobre" },
    });
    assert.equal(result.isError, true);
    assert.deepEqual(parsedText(result), {
      kind: "MissingFile",
      message: "Case directory has no config.json",
      context: { file: "config.json" },
      suggestion: null,
    });
  } finally {
    await session.close();
  }
});

Deno.test("an unexpected exception becomes InternalError without its message or host paths", async () => {
  const session = await connect({ tools: plainTools });
  try {
    const result = await session.client.callTool({
      name: "test/fail",
      arguments: { kind: "crash" },
    });
    assert.equal(result.isError, true);
    const text = JSON.stringify(result);
    assert.doesNotMatch(text, /secret|TypeError|at /);
    assert.equal((parsedText(result) as { kind: string }).kind, "InternalError");
    // The operator still gets the details on stderr.
    assert.ok(session.stderr.some((line) => line.includes("/srv/secret/host/path")));
  } finally {
    await session.close();
  }
});

Deno.test("a result outside the tool's outputSchema is caught as InternalError", async () => {
  const session = await connect({ tools: plainTools });
  try {
    await session.client.listTools();
    const result = await session.client.callTool({
      name: "test/fail",
      arguments: { kind: "bad-result" },
    });
    assert.equal(result.isError, true);
    assert.equal((parsedText(result) as { kind: string }).kind, "InternalError");
    assert.ok(session.stderr.some((line) => line.includes("outside its outputSchema")));
  } finally {
    await session.close();
  }
});

Deno.test("output schemas that use $defs/ErrorRecord compile in the SDK client", async () => {
  const session = await connect({ tools: [failingTool] });
  try {
    // listTools compiles every outputSchema; an unresolvable $ref would throw here.
    const { tools } = await session.client.listTools();
    const defs = tools[0]?.outputSchema?.$defs as Record<string, unknown> | undefined;
    assert.ok(defs?.ErrorRecord);
  } finally {
    await session.close();
  }
});

Deno.test("write tools on a read-only server are refused with the spec message and flagged in tools/list", async () => {
  const calls = { count: 0 };
  const session = await connect({ tools: [writeTool(calls)], mode: "read-only" });
  try {
    const { tools } = await session.client.listTools();
    const [listed] = tools;
    assert.deepEqual(listed?._meta?.[WRITE_DISABLED_META_KEY], {
      disabled: true,
      reason: WRITE_DISABLED_MESSAGE,
    });
    assert.match(listed?.description ?? "", /--allow-write/);
    assert.equal(listed?.annotations?.readOnlyHint, false);
    const result = await session.client.callTool({ name: "test/write", arguments: {} });
    assert.equal(result.isError, true);
    assert.deepEqual(parsedText(result), {
      kind: "WriteDisabled",
      message:
        "Write operations are disabled. Start the server with --allow-write to enable training and export.",
      context: { tool: "test/write" },
      suggestion: null,
    });
    assert.equal(calls.count, 0);
  } finally {
    await session.close();
  }
});

Deno.test("write tools on a read-write server run and are not flagged", async () => {
  const calls = { count: 0 };
  const session = await connect({ tools: [writeTool(calls)], mode: "read-write" });
  try {
    const { tools } = await session.client.listTools();
    assert.equal(tools[0]?._meta, undefined);
    const result = await session.client.callTool({ name: "test/write", arguments: {} });
    assert.deepEqual(result.structuredContent, { wrote: true });
    assert.equal(calls.count, 1);
  } finally {
    await session.close();
  }
});

Deno.test("a tool that outlives its timeout is stopped: Timeout record, handler signal aborted", async () => {
  const seen = { aborted: false, reason: undefined as unknown };
  const session = await connect({ tools: [slowTool(seen, 30)] });
  try {
    const result = await session.client.callTool({ name: "test/slow", arguments: { ms: 5_000 } });
    assert.equal(result.isError, true);
    const record = parsedText(result) as { kind: string; context: Record<string, unknown> };
    assert.equal(record.kind, "Timeout");
    assert.deepEqual(record.context, { tool: "test/slow", timeout_ms: 30 });
    assert.equal(seen.aborted, true);
  } finally {
    await session.close();
  }
});

Deno.test("a client cancel aborts the handler's signal", async () => {
  const seen = { aborted: false, reason: undefined as unknown };
  const session = await connect({ tools: [slowTool(seen, null)] });
  try {
    const controller = new AbortController();
    const call = session.client.callTool(
      { name: "test/slow", arguments: { ms: 5_000 } },
      undefined,
      {
        signal: controller.signal,
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort("changed my mind");
    await assert.rejects(call);
    // The cancel notification travels asynchronously; wait until the server reacted.
    for (let i = 0; i < 50 && !seen.aborted; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(seen.aborted, true);
  } finally {
    await session.close();
  }
});

Deno.test("progress updates become notifications/progress with Cobre metadata under _meta", async () => {
  const session = await connect({ tools: [progressTool] });
  try {
    const received: Record<string, unknown>[] = [];
    const result = await session.client.callTool(
      { name: "test/progress", arguments: { steps: 3 } },
      undefined,
      { onprogress: (progress) => received.push(progress as Record<string, unknown>) },
    );
    assert.deepEqual(result.structuredContent, { steps: 3 });
    assert.equal(received.length, 3);
    assert.deepEqual(received.map((p) => p.progress), [1, 2, 3]);
    assert.equal(received[0]?.message, "iteration 1");
    assert.equal("total" in (received[0] ?? {}), false, "an unknown total is omitted, not null");
    assert.deepEqual(
      (received[2]?._meta as Record<string, unknown>)[PROGRESS_META_KEY],
      { iteration: 3, lower_bound: 300, gap: 1 / 3 },
    );
  } finally {
    await session.close();
  }
});

Deno.test("without a progress token no progress notification is sent", async () => {
  const session = await connect({ tools: [progressTool] });
  try {
    let unexpected = 0;
    session.client.fallbackNotificationHandler = (notification) => {
      if (notification.method === "notifications/progress") unexpected += 1;
      return Promise.resolve();
    };
    const result = await session.client.callTool({
      name: "test/progress",
      arguments: { steps: 2 },
    });
    assert.equal(result.isError, false);
    assert.equal(unexpected, 0);
  } finally {
    await session.close();
  }
});

Deno.test("logging/setLevel filters the log messages a tool sends to the client", async () => {
  const session = await connect({ tools: [loggingTool] });
  try {
    const levels: string[] = [];
    session.client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      if (
        String((notification.params.data as { message?: string }).message).endsWith("from tool")
      ) {
        levels.push(notification.params.level);
      }
    });
    await session.client.setLoggingLevel("warning");
    await session.client.callTool({ name: "test/log", arguments: {} });
    assert.deepEqual(levels, ["warning", "error"]);

    levels.length = 0;
    await session.client.setLoggingLevel("debug");
    await session.client.callTool({ name: "test/log", arguments: {} });
    assert.deepEqual(levels, ["debug", "info", "warning", "error"]);
    // stderr gets every record, whatever the client asked for.
    assert.ok(
      session.stderr.some((line) => line.includes("info from tool") && line.includes('"stage":3')),
    );
  } finally {
    await session.close();
  }
});

Deno.test("drain() waits for in-flight requests to answer", async () => {
  const seen = { aborted: false, reason: undefined as unknown };
  const session = await connect({ tools: [slowTool(seen, null)] });
  try {
    const call = session.client.callTool({ name: "test/slow", arguments: { ms: 40 } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(session.server.inFlight(), 1);
    await session.server.drain(5_000);
    assert.equal(session.server.inFlight(), 0);
    assert.deepEqual((await call).structuredContent, { slept_ms: 40 });
  } finally {
    await session.close();
  }
});

Deno.test("each request leaves a debug access line on stderr with tool, outcome and duration", async () => {
  const session = await connect({ tools: plainTools });
  try {
    await session.client.callTool({ name: "test/echo", arguments: { message: "x" } });
    await session.client.callTool({ name: "test/echo", arguments: {} });
    const access = session.stderr.filter((line) => line.includes("debug: tools/call"));
    assert.equal(access.length, 2);
    assert.match(
      access[0] ?? "",
      /tools\/call test\/echo ok \{"request_id":\d+,"duration_ms":\d+\}/,
    );
    assert.match(access[1] ?? "", /tools\/call test\/echo invalid-arguments/);
  } finally {
    await session.close();
  }
});
