/**
 * The HTTP server as operators start it: a real process under its least-privilege launch line.
 *
 * @module
 */
import assert from "node:assert/strict";
import { readFlightEvents } from "../../../src/recorder/mod.ts";
import { type LaunchLine, launchLine } from "../../../src/security/mod.ts";
import { makeWorkspace } from "../../e2e/support.ts";
import { connectClient, initializeBody, MCP_POST_HEADERS, send } from "./support.ts";

const TOKEN = "9d2c7e1b4a6f08e3c5b7d9a1f2e4c6b8-launched";

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Starts `line`; resolves with the URL it serves, or rejects with its stderr if it exits. */
async function launch(line: LaunchLine, env: Record<string, string> = {}) {
  const child = new Deno.Command(line.command, {
    args: line.args,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let stderr = "";
  let url: string | null = null;
  while (url === null) {
    const { done, value } = await lines.read();
    if (done) break;
    stderr += value;
    url = /serving over http at (\S+)/.exec(stderr)?.[1] ?? null;
  }
  const rest = (async () => {
    for (;;) {
      const { done, value } = await lines.read();
      if (done) return stderr;
      stderr += value;
    }
  })();
  const stdout = new Response(child.stdout).text();
  return { child, url, stderr: rest, stdout, early: stderr };
}

Deno.test("a launched HTTP server demands its token, serves the real tools, and logs no secret", async () => {
  await using ws = await makeWorkspace();
  const port = freePort();
  const line = await launchLine({
    allowedDirs: [ws.allowed],
    stateDir: ws.stateDir,
    write: false,
    transport: "http",
    port,
    extraServerArgs: ["--require-auth", "--log-level", "debug"],
  });
  const net = line.args.filter((arg) => arg.startsWith("--allow-net"));
  assert.deepEqual(net, [`--allow-net=127.0.0.1:${port}`], "the network is granted on one socket");
  assert.ok(
    line.args.some((arg) => arg.startsWith("--allow-env=") && arg.includes("COBRE_MCP_HTTP_TOKEN")),
  );

  const server = await launch(line, { COBRE_MCP_HTTP_TOKEN: TOKEN });
  assert.equal(server.url, `http://127.0.0.1:${port}/mcp`, server.early);
  const url = server.url!;
  const refused = await send(url, {
    method: "POST",
    headers: MCP_POST_HEADERS,
    body: initializeBody(),
  });
  assert.equal(refused.status, 401);

  const { client, transport } = await connectClient(url, {
    requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } },
  });
  const sessionId = transport.sessionId!;
  const valid = await client.callTool({
    name: "cobre/validate",
    arguments: { case_dir: `${ws.allowed}/tiny` },
  });
  assert.equal((valid.structuredContent as { valid: boolean }).valid, true);
  const outside = await client.callTool({
    name: "cobre/validate",
    arguments: { case_dir: `${ws.outside}/secret-case` },
  });
  assert.equal(outside.isError, true, "the sandbox holds over HTTP too");
  await transport.terminateSession();
  await client.close();

  server.child.kill("SIGTERM");
  const status = await server.child.status;
  assert.equal(status.code, 0);
  const stderr = await server.stderr;
  await server.stdout;
  assert.equal(stderr.includes(TOKEN), false, "token in the server log");
  assert.equal(stderr.includes(sessionId), false, "session id in the server log");

  const { rows } = await readFlightEvents(ws.stateDir);
  const history = JSON.stringify(rows);
  assert.ok(rows.some((row) => row.eventKind === "mcp.session_open"), "session open recorded");
  assert.ok(rows.some((row) => row.eventKind === "mcp.request_refused"), "the 401 was recorded");
  assert.ok(rows.some((row) => row.toolName === "cobre/validate"));
  assert.equal(history.includes(TOKEN), false, "token in the Flight Recorder");
  assert.equal(history.includes(sessionId), false, "Mcp-Session-Id in the Flight Recorder");
});

Deno.test("a launched server refuses to listen beyond loopback without a token, and a token file inside the allowed dirs", async () => {
  await using ws = await makeWorkspace();
  const wide = await launchLine({
    allowedDirs: [ws.allowed],
    stateDir: ws.stateDir,
    write: false,
    transport: "http",
    host: "0.0.0.0",
    port: freePort(),
    extraServerArgs: ["--allowed-hosts", "mcp.example.org"],
  });
  const refused = await launch(wide);
  assert.equal(refused.url, null);
  assert.equal((await refused.child.status).code, 1);
  assert.match(await refused.stderr, /beyond loopback\) needs a bearer token/);
  await refused.stdout;

  await Deno.writeTextFile(`${ws.allowed}/token.txt`, TOKEN);
  const leaky = await launchLine({
    allowedDirs: [ws.allowed],
    stateDir: ws.stateDir,
    write: false,
    transport: "http",
    port: freePort(),
    tokenFile: `${ws.allowed}/token.txt`,
  });
  assert.ok(leaky.args.includes("--token-file"));
  const leak = await launch(leaky);
  assert.equal(leak.url, null);
  assert.equal((await leak.child.status).code, 1);
  const stderr = await leak.stderr;
  assert.match(stderr, /token file lies inside an allowed directory/);
  assert.equal(stderr.includes(TOKEN), false);
  await leak.stdout;
});

Deno.test("a token file outside the allowed dirs is granted alone and read by the server", async () => {
  await using ws = await makeWorkspace();
  const tokenFile = `${ws.root}/http-token`;
  await Deno.writeTextFile(tokenFile, `${TOKEN}\n`);
  const line = await launchLine({
    allowedDirs: [ws.allowed],
    stateDir: ws.stateDir,
    write: false,
    transport: "http",
    port: freePort(),
    tokenFile,
  });
  const read = line.args.find((arg) => arg.startsWith("--allow-read="))!.split("=")[1]!.split(",");
  assert.ok(read.includes(tokenFile));
  assert.equal(read.includes(ws.root), false, "only the file, not its directory");
  const server = await launch(line);
  assert.ok(server.url, server.early);
  const denied = await send(server.url!, {
    method: "POST",
    headers: { ...MCP_POST_HEADERS, Authorization: "Bearer wrong-token-wrong-token-wrong-token" },
    body: initializeBody(),
  });
  assert.equal(denied.status, 401);
  const allowed = await send(server.url!, {
    method: "POST",
    headers: { ...MCP_POST_HEADERS, Authorization: `Bearer ${TOKEN}` },
    body: initializeBody(),
  });
  assert.equal(allowed.status, 200);
  server.child.kill("SIGTERM");
  assert.equal((await server.child.status).code, 0);
  await server.stderr;
  await server.stdout;
});
