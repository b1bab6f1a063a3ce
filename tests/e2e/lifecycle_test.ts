/**
 * Process lifecycle of the real server and of the commands around it: clean exit on end of
 * input and on SIGTERM, the launcher forwarding signals and exit codes, refusals at startup.
 */
import assert from "node:assert/strict";
import { makeWorkspace, readOnlyLaunchLine, REPO_ROOT, spawnServer } from "./support.ts";

const DENO = Deno.execPath();
const MAIN = `${REPO_ROOT}/main.ts`;

/** Runs `main.ts` with `denoFlags` and `args` to completion. */
async function runMain(denoFlags: string[], args: string[], cwd = REPO_ROOT) {
  const output = await new Deno.Command(DENO, {
    args: ["run", "--no-prompt", ...denoFlags, MAIN, ...args],
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("e2e: the server exits with code 0 when the client closes stdin", async () => {
  await using ws = await makeWorkspace();
  const server = await spawnServer(await readOnlyLaunchLine([ws.allowed], ws.stateDir));
  await server.client.listTools();
  await server.closeStdin();
  const status = await server.child.status;
  assert.deepEqual({ code: status.code, signal: status.signal }, { code: 0, signal: null });
  assert.match(await server.stderr, /session ending: end of input/);
  // The server id lives in the state dir, so a restarted server keeps it (tasks, refs).
  const serverId = (await Deno.readTextFile(`${ws.stateDir}/server_id`)).trim();
  assert.match(serverId, /^srv-[0-9a-f-]{36}$/);
});

Deno.test("e2e: the server exits with code 0 on SIGTERM", async () => {
  await using ws = await makeWorkspace();
  const server = await spawnServer(await readOnlyLaunchLine([ws.allowed], ws.stateDir));
  await server.client.listTools();
  server.child.kill("SIGTERM");
  const status = await server.child.status;
  assert.deepEqual({ code: status.code, signal: status.signal }, { code: 0, signal: null });
  assert.match(await server.stderr, /session ending: received SIGTERM/);
  await server.closeStdin();
});

Deno.test("e2e: main.ts launch runs the server under its launch line and forwards SIGTERM", async () => {
  await using ws = await makeWorkspace();
  const launcherFlags = [
    "--allow-read",
    "--allow-env=COBRE_MCP_ALLOWED_DIRS,XDG_STATE_HOME,HOME,INIT_CWD",
    `--allow-run=${DENO}`,
  ];
  const server = await spawnServer({
    command: DENO,
    args: [
      "run",
      "--no-prompt",
      ...launcherFlags,
      MAIN,
      "launch",
      "--allowed-dirs",
      ws.allowed,
      "--state-dir",
      ws.stateDir,
    ],
  });
  const { tools } = await server.client.listTools();
  assert.ok(tools.length > 0);
  // The server inside only got what the launch line grants: it is read-only.
  assert.match(server.client.getInstructions() ?? "", /read-only/);
  server.child.kill("SIGTERM");
  const status = await server.child.status;
  assert.deepEqual({ code: status.code, signal: status.signal }, { code: 0, signal: null });
  await server.closeStdin();
  await server.stderr;
});

Deno.test("e2e: serve refuses to start with unrestricted permissions unless --no-sandbox", async () => {
  await using ws = await makeWorkspace();
  const args = ["serve", "--allowed-dirs", ws.allowed, "--state-dir", ws.stateDir];
  const refused = await runMain(["-A"], args);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /refusing to start/);
  assert.equal(refused.stdout, "", "nothing may reach stdout, which belongs to the protocol");
});

Deno.test("e2e: bad usage exits with code 2 and prints the usage", async () => {
  const result = await runMain([], ["serve", "--frobnicate"]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /unknown option --frobnicate/);
  assert.match(result.stderr, /usage: main.ts/);
});

Deno.test("e2e: validate-cases prints a table and fails when a case is invalid", async () => {
  await using ws = await makeWorkspace();
  const flags = ["--allow-read", "--allow-env", `--allow-run=${DENO}`];
  const mixed = await runMain(flags, ["validate-cases", ws.allowed]);
  assert.equal(mixed.code, 1);
  assert.match(mixed.stdout, /^broken\s+NO\s+1\s+0\s+3\s+\d+$/m);
  assert.match(mixed.stdout, /^tiny\s+yes\s+0\s+0\s+5\s+\d+$/m);
  assert.match(mixed.stdout, /1\/2 cases valid/);
  assert.match(mixed.stdout, /MissingReference/);

  await Deno.remove(`${ws.allowed}/broken`, { recursive: true });
  const clean = await runMain(flags, ["validate-cases", ws.allowed]);
  assert.equal(clean.code, 0);
  assert.match(clean.stdout, /1\/1 cases valid/);
});

Deno.test("e2e: every request of a session is in the Flight Recorder, Gate decisions included", async () => {
  await using ws = await makeWorkspace();
  const server = await spawnServer(await readOnlyLaunchLine([ws.allowed], ws.stateDir));
  const allowed = await server.client.callTool({
    name: "cobre/validate",
    arguments: { case_dir: `${ws.allowed}/tiny` },
  });
  assert.equal(allowed.isError, false);
  const refused = await server.client.callTool({
    name: "cobre/validate",
    arguments: { case_dir: `${ws.outside}/secret-case` },
  });
  assert.equal(refused.isError, true);
  await server.closeStdin();
  assert.equal((await server.child.status).code, 0);
  await server.stderr;

  // Reading the history needs DuckDB, so this reader gets broad permissions; the server did not.
  const flight = await runMain(["-A", "--unstable-worker-options"], [
    "flight",
    "--state-dir",
    ws.stateDir,
    "--json",
  ]);
  assert.equal(flight.code, 0, flight.stderr);
  const events = JSON.parse(flight.stdout) as {
    eventKind: string;
    toolName: string | null;
    gateDecision: string | null;
  }[];
  const decisions = events.filter((e) => e.eventKind === "mcp.gate_decision" && e.toolName);
  assert.deepEqual(decisions.map((e) => `${e.toolName}:${e.gateDecision}`), [
    "cobre/validate:allow",
    "cobre/validate:deny",
  ]);
  const calls = events.filter((e) => e.eventKind === "mcp.tool_call");
  assert.equal(calls.length, 1, "only the admitted call ran");
  assert.ok(events.some((e) => e.eventKind === "mcp.tool_result"));
});
