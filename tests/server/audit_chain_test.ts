import assert from "node:assert/strict";
import { Sandbox } from "../../src/security/mod.ts";
import { cobreTools, ServerLog } from "../../src/server/mod.ts";
import { openAuditChain } from "../../src/server/audit_chain.ts";
import { connect, parsedText } from "./support.ts";
import { writeTinyCase } from "./tiny_case.ts";

async function setup(breakRecorder: boolean) {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "cobre-audit-" }));
  await writeTinyCase(`${root}/cases/tiny`);
  await Deno.mkdir(`${root}/state`);
  // A file where the recorder wants its directory: it cannot open.
  if (breakRecorder) await Deno.writeTextFile(`${root}/state/recorder`, "");
  const sandbox = await Sandbox.create([`${root}/cases`]);
  const stderr: string[] = [];
  const log = new ServerLog({ writeLine: (line) => stderr.push(line) });
  const audit = openAuditChain({
    stateDir: `${root}/state`,
    serverId: "srv-audit-test",
    sandbox,
    mode: "read-only",
    log,
  });
  const session = await connect({ tools: cobreTools(), sandbox, observers: audit.observers, log });
  return {
    root,
    session,
    stderr,
    async [Symbol.asyncDispose]() {
      await session.close();
      await audit.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test("openAuditChain() lets calls through once the recorder is open", async () => {
  await using env = await setup(false);
  const result = await env.session.client.callTool({
    name: "cobre/validate",
    arguments: { case_dir: `${env.root}/cases/tiny` },
  });
  assert.equal(result.isError, false);
});

Deno.test("openAuditChain() refuses every request when the recorder cannot open", async () => {
  await using env = await setup(true);
  const result = await env.session.client.callTool({
    name: "cobre/validate",
    arguments: { case_dir: `${env.root}/cases/tiny` },
  });
  assert.equal(result.isError, true);
  const record = parsedText(result) as { kind: string; message: string };
  assert.equal(record.kind, "InternalError");
  assert.match(record.message, /audit log is unavailable/);
  assert.ok(env.stderr.some((line) => line.includes("flight recorder could not open")));
});
