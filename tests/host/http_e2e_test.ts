/**
 * The host against our real server over Streamable HTTP: the server launched under its
 * least-privilege HTTP launch line demanding a bearer token, the host connecting with it.
 */
import assert from "node:assert/strict";
import { readFlightEvents } from "../../src/recorder/mod.ts";
import { loadOrCreateServerId } from "../../src/jobs/mod.ts";
import { launchLine } from "../../src/security/mod.ts";
import { copyTree, defaultHostPolicy, httpTarget } from "../../src/host/mod.ts";
import { makeHostWorkspace, openHost, REPO_ROOT } from "./support.ts";

const TOKEN = "host-e2e-" + "5c".repeat(16);

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

Deno.test("over HTTP with a bearer token the host validates, exports and resolves a ref of the real server", async () => {
  await using ws = await makeHostWorkspace();
  await copyTree(`${REPO_ROOT}/fixtures/case/tiny_hydrothermal`, `${ws.allowed}/tiny`);
  await copyTree(`${REPO_ROOT}/fixtures/output/cobre-cli`, `${ws.allowed}/run-1`);
  const port = freePort();
  const line = await launchLine({
    allowedDirs: [ws.allowed],
    stateDir: ws.serverState,
    write: true,
    transport: "http",
    port,
    extraServerArgs: ["--require-auth"],
  });
  const serverId = await loadOrCreateServerId(ws.serverState);
  const child = new Deno.Command(line.command, {
    args: line.args,
    env: { COBRE_MCP_HTTP_TOKEN: TOKEN },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let log = "";
  while (!log.includes("serving over http")) {
    const { done, value } = await stderr.read();
    if (done) break;
    log += value;
  }
  const drained = (async () => {
    while (!(await stderr.read()).done);
  })();
  const url = `http://127.0.0.1:${port}/mcp`;
  const policy = defaultHostPolicy({
    roots: [ws.allowed],
    write: true,
    preApprove: ["cobre/export-results"],
  });
  const { host } = await openHost(ws, policy);
  try {
    await assert.rejects(
      () => host.connect(httpTarget(url, { bearerToken: "nope" })),
      /Could not connect/,
    );
    // No --server-id: the server names itself in its initialize result.
    const info = await host.connect(httpTarget(url, { bearerToken: TOKEN }));
    assert.equal(info.serverName, "cobre-mcp");
    assert.equal(info.serverId, serverId);
    const valid = await host.callTool("cobre/validate", { case_dir: `${ws.allowed}/tiny` });
    assert.equal((valid.result.structuredContent as { valid: boolean }).valid, true);
    const exported = await host.callTool("cobre/export-results", {
      output_dir: `${ws.allowed}/run-1`,
      format: "arrow",
      entity_type: "costs",
    });
    assert.equal(exported.outcome, "ok", JSON.stringify(exported.error));
    assert.equal(exported.links.length, 1);
    const ref = await host.readRef(exported.links[0]!.uri);
    assert.equal(new TextDecoder().decode(ref.bytes.subarray(0, 6)), "ARROW1");
    await host.disconnect();
    await host.recorder.flush();
    const rows = await host.recorder.query({});
    assert.ok(!JSON.stringify(rows).includes(TOKEN), "the token is never recorded");
    assert.equal(rows.filter((row) => row.eventKind === "mcp.ref_released").length, 1);
  } finally {
    await host.close();
    child.kill("SIGTERM");
    await child.status;
    await drained;
  }
  const server = (await readFlightEvents(ws.serverState)).rows;
  assert.ok(
    server.some((row) => row.eventKind === "mcp.ref_released"),
    "the server saw the release",
  );
  assert.ok(!JSON.stringify(server).includes(TOKEN));
});
