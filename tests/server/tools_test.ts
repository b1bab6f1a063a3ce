import assert from "node:assert/strict";
import { Sandbox } from "../../src/security/mod.ts";
import { cobreTools } from "../../src/server/mod.ts";
import { connect, parsedText } from "./support.ts";
import { writeTinyCase } from "./tiny_case.ts";

/** A temp dir with `allowed/tiny` (valid), `allowed/broken` (bad reference) and `outside/`. */
async function workspace() {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "cobre-tools-" }));
  await writeTinyCase(`${root}/allowed/tiny`);
  await writeTinyCase(`${root}/allowed/broken`, 9);
  await writeTinyCase(`${root}/outside/secret-case`);
  const sandbox = await Sandbox.create([`${root}/allowed`]);
  const session = await connect({ tools: cobreTools(), sandbox });
  await session.client.listTools(); // the client now checks results against output schemas
  return {
    root,
    session,
    async [Symbol.asyncDispose]() {
      await session.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test("cobre/validate reports a valid case with the counts derived from its files", async () => {
  await using ws = await workspace();
  const result = await ws.session.client.callTool({
    name: "cobre/validate",
    arguments: { case_dir: `${ws.root}/allowed/tiny` },
  });
  assert.equal(result.isError, false);
  assert.deepEqual(result.structuredContent, {
    valid: true,
    errors: [],
    warnings: [],
    summary: {
      files_checked: 8,
      entities_validated: 5,
      layers_completed: 5,
      error_count: 0,
      warning_count: 0,
    },
  });
  assert.deepEqual(parsedText(result), result.structuredContent);
});

Deno.test("cobre/validate lists a broken reference as a MissingReference error, not a failure", async () => {
  await using ws = await workspace();
  const result = await ws.session.client.callTool({
    name: "cobre/validate",
    arguments: { case_dir: `${ws.root}/allowed/broken` },
  });
  assert.equal(result.isError, false);
  const report = result.structuredContent as {
    valid: boolean;
    errors: { kind: string; context: Record<string, unknown> }[];
  };
  assert.equal(report.valid, false);
  assert.deepEqual(report.errors.map((e) => e.kind), ["MissingReference"]);
  assert.equal(report.errors[0]?.context.file, "system/thermals.json");
});

Deno.test("cobre/validate refuses a case outside the allowed dirs without revealing them", async () => {
  await using ws = await workspace();
  for (
    const path of [`${ws.root}/outside/secret-case`, `${ws.root}/allowed/../outside/secret-case`]
  ) {
    const result = await ws.session.client.callTool({
      name: "cobre/validate",
      arguments: { case_dir: path },
    });
    assert.equal(result.isError, true);
    const record = parsedText(result) as { kind: string; message: string };
    assert.match(record.message, /is not within the allowed directories/);
    const text = JSON.stringify(result);
    assert.doesNotMatch(text, new RegExp(`${ws.root}/allowed(?!/\\.\\.)`), "allowlist leaked");
  }
});

Deno.test("cobre/validate on a missing directory inside the sandbox is MissingFile", async () => {
  await using ws = await workspace();
  const result = await ws.session.client.callTool({
    name: "cobre/validate",
    arguments: { case_dir: `${ws.root}/allowed/nope` },
  });
  assert.equal(result.isError, true);
  assert.equal((parsedText(result) as { kind: string }).kind, "MissingFile");
});
