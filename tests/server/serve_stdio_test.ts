import assert from "node:assert/strict";
import { ServerLog, serveStdio } from "../../src/server/mod.ts";
import { testSandbox } from "./support.ts";
import { slowTool } from "./test_tools.ts";

const lines = (messages: object[]) =>
  new TextEncoder().encode(messages.map((m) => JSON.stringify(m)).join("\n") + "\n");

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  return text;
}

Deno.test("serveStdio() answers requests piped before end of input, then returns", async () => {
  const input = new TransformStream<Uint8Array, Uint8Array>();
  const output = new TransformStream<Uint8Array, Uint8Array>();
  const probe = { aborted: false, reason: undefined as unknown };
  const stderr: string[] = [];
  const session = serveStdio({
    tools: [slowTool(probe, null)],
    sandbox: testSandbox("/nonexistent-root"),
    mode: "read-only",
    log: new ServerLog({ writeLine: (line) => stderr.push(line) }),
    streams: { input: input.readable, output: output.writable },
    handleSignals: false,
  });
  const collected = readAll(output.readable);
  const writer = input.writable.getWriter();
  await writer.write(lines([
    {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "pipe", version: "1" },
      },
    },
    { jsonrpc: "2.0", method: "notifications/initialized" },
    {
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "test/slow", arguments: { ms: 30 } },
    },
  ]));
  await writer.close();
  await session;
  await output.writable.close().catch(() => {});
  const responses = (await collected).trim().split("\n").map((line) => JSON.parse(line));
  const byId = new Map(responses.filter((r) => "id" in r).map((r) => [r.id, r]));
  assert.equal(byId.get(1)?.result?.protocolVersion, "2025-11-25");
  assert.deepEqual(byId.get(2)?.result?.structuredContent, { slept_ms: 30 });
  assert.equal(probe.aborted, false, "the in-flight call finished instead of being aborted");
  assert.ok(stderr.some((line) => line.includes("session ending: end of input")));
});
