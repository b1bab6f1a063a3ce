import assert from "node:assert/strict";
import { serverEnvironment, StdioServerTransport } from "../../src/host/mod.ts";

Deno.test("serverEnvironment() passes only what a runtime needs, plus what the launch asks for", () => {
  const host: Record<string, string> = {
    HOME: "/home/p",
    PATH: "/usr/bin",
    COBRE_MCP_TOKEN: "secret-token",
    AWS_SECRET_ACCESS_KEY: "x",
    GITHUB_TOKEN: "ghp_x",
    DENO_DIR: "/cache/deno",
  };
  assert.deepEqual(serverEnvironment((name) => host[name], { EXTRA: "1" }), {
    HOME: "/home/p",
    PATH: "/usr/bin",
    DENO_DIR: "/cache/deno",
    EXTRA: "1",
  });
});

Deno.test("StdioServerTransport starts the server with a cleared environment", async () => {
  Deno.env.set("COBRE_HOST_TEST_SECRET", "must-not-leak");
  try {
    const transport = new StdioServerTransport({
      command: Deno.execPath(),
      args: ["eval", "console.error(JSON.stringify(Deno.env.toObject()))"],
      env: { GIVEN: "yes" },
    });
    await transport.start();
    await transport.exited;
    await transport.close();
    const env = JSON.parse(transport.stderrTail().join(""));
    assert.equal(env.GIVEN, "yes");
    assert.equal(env.COBRE_HOST_TEST_SECRET, undefined);
    assert.equal(env.HOME, Deno.env.get("HOME"));
  } finally {
    Deno.env.delete("COBRE_HOST_TEST_SECRET");
  }
});

Deno.test("StdioServerTransport reports each malformed line and passes valid messages on", async () => {
  const script = [
    'console.log("{not json");',
    'console.log(JSON.stringify({ jsonrpc: "2.0", method: "notifications/x", params: {} }));',
    'console.log("[1]");',
  ].join("");
  const transport = new StdioServerTransport({ command: Deno.execPath(), args: ["eval", script] });
  const errors: string[] = [];
  const messages: unknown[] = [];
  transport.onerror = (error) => errors.push(error.message);
  transport.onmessage = (message) => messages.push(message);
  const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
  await transport.start();
  await closed;
  assert.deepEqual(messages, [{ jsonrpc: "2.0", method: "notifications/x", params: {} }]);
  assert.deepEqual(errors, [
    "The server sent a line that is not a JSON-RPC message (invalid JSON)",
    "The server sent a line that is not a JSON-RPC message (not a JSON-RPC 2.0 message)",
  ]);
  assert.deepEqual(await transport.exited, { code: 0, signal: null });
});
