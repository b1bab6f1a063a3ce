/**
 * The host over Streamable HTTP with a bearer token, against a small SDK server in this process
 * that refuses any request without the token.
 */
import assert from "node:assert/strict";
import { Server } from "@modelcontextprotocol/sdk/server";
// @ts-types="@modelcontextprotocol/sdk/server/webStandardStreamableHttp"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { httpTarget } from "../../src/host/mod.ts";
import { firstText, hostilePolicy, makeHostWorkspace, openHost } from "./support.ts";

const TOKEN = "test-token-" + "9".repeat(24);

/** An MCP server on a free loopback port; `seen` collects every Authorization header. */
function serveMcp(): { url: string; seen: (string | null)[]; close(): Promise<void> } {
  const seen: (string | null)[] = [];
  const server = new Server({ name: "http-test", version: "1.0.0" }, {
    capabilities: { tools: {} },
  });
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [{ name: "report", inputSchema: { type: "object" } }],
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const token = request.params._meta?.progressToken;
    if (token !== undefined) {
      await extra.sendNotification({
        method: "notifications/progress",
        params: { progressToken: token, progress: 1, total: 1 },
      });
    }
    return { content: [{ type: "text", text: `done; my key is sk-live-${"k".repeat(24)}` }] };
  });
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: () => crypto.randomUUID(),
  });
  const connected = server.connect(transport);
  const http = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const authorization = request.headers.get("authorization");
      seen.push(authorization);
      if (authorization !== `Bearer ${TOKEN}`) {
        return new Response("unauthorized", {
          status: 401,
          headers: { "WWW-Authenticate": "Bearer" },
        });
      }
      await connected;
      return transport.handleRequest(request);
    },
  );
  return {
    url: `http://127.0.0.1:${http.addr.port}/mcp`,
    seen,
    close: async () => {
      await server.close();
      await http.shutdown();
    },
  };
}

Deno.test("over HTTP the host sends its bearer token on every request, tracks progress, redacts, and never records the token", async () => {
  await using ws = await makeHostWorkspace();
  const mcp = serveMcp();
  const policy = hostilePolicy(ws.allowed);
  const tools = new Map(policy.tools);
  tools.set("report", { confirm: false, paths: null });
  const { host } = await openHost(ws, { ...policy, tools });
  try {
    const info = await host.connect(
      httpTarget(mcp.url, { bearerToken: TOKEN, serverId: "srv-http" }),
    );
    assert.equal(info.transport, "http");
    assert.equal(info.serverName, "http-test");
    const call = await host.callTool("report", {});
    assert.equal(call.outcome, "ok");
    assert.equal(call.job?.progress, 1);
    assert.equal(firstText(call.result), "done; my key is [redacted:openai_api_key]");
    assert.ok(mcp.seen.length >= 3);
    assert.ok(mcp.seen.every((header) => header === `Bearer ${TOKEN}`));
    await host.recorder.flush();
    const rows = await host.recorder.query({});
    assert.ok(rows.some((row) => row.eventKind === "mcp.session_open"));
    assert.ok(!JSON.stringify(rows).includes(TOKEN), "the token is never recorded");
  } finally {
    await host.close();
    await mcp.close();
  }
});

Deno.test("over HTTP a wrong token fails connect() with a clear record, not a hang", async () => {
  await using ws = await makeHostWorkspace();
  const mcp = serveMcp();
  const { host } = await openHost(ws, hostilePolicy(ws.allowed));
  try {
    await assert.rejects(
      () => host.connect(httpTarget(mcp.url, { bearerToken: "wrong" })),
      (error: { record?: { kind: string; message: string } }) => {
        assert.equal(error.record?.kind, "InternalError");
        assert.match(error.record!.message, /^Could not connect to 127\.0\.0\.1:\d+ \(http\)/);
        assert.ok(!error.record!.message.includes("wrong"));
        return true;
      },
    );
    assert.equal(host.session, null);
  } finally {
    await host.close();
    await mcp.close();
  }
});

Deno.test("httpTarget() takes only http(s) URLs without credentials in them", () => {
  assert.equal(httpTarget("https://mcp.example/mcp").label, "mcp.example (http)");
  assert.throws(() => httpTarget("file:///etc/passwd"), /must be http or https/);
  assert.throws(() => httpTarget("http://user:pw@mcp.example/mcp"), /Credentials do not belong/);
  assert.throws(() => httpTarget("not a url"), /is not a URL/);
});
