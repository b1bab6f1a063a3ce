/**
 * `main.ts demo` as a person runs it (the `demo` task's flags), end to end.
 */
import assert from "node:assert/strict";
import { runMain } from "./support.ts";

Deno.test("demo trains a fixture case through the gated host, charts it and prints both audit trails", async () => {
  const { code, stdout, stderr } = await runMain(["demo", "--clean"]);
  assert.equal(code, 0, `${stdout}\n${stderr}`);
  for (let step = 1; step <= 7; step++) assert.match(stdout, new RegExp(`^${step}\\. `, "m"));
  assert.match(stdout, /→ denied \(path_outside_roots\)/);
  assert.match(stdout, /valid: \d+ files/);
  assert.match(stdout, /training: \d+ iterations in .*, stopped by \w+; lower bound/);
  assert.match(
    stdout,
    /\d+ progress notifications reached the host; its job [0-9a-f]{32} .* ended completed/,
  );
  assert.match(stdout, /┤.*L/, "the terminal chart");
  assert.match(stderr, /iteration \d+/, "progress went to stderr");
  const svg = /chart saved as (\S+\.svg)/.exec(stdout)?.[1];
  assert.ok(svg);
  try {
    assert.match(await Deno.readTextFile(svg), /^<svg [\s\S]*<\/svg>\n$/);
  } finally {
    await Deno.remove(svg);
  }
  assert.match(stdout, /cobre\/run: host job [0-9a-f]{32} ⇄ server job [0-9a-f]{32}/);
  assert.match(stdout, /server mcp\.tool_result +cobre\/run/);
  const workspace = /case +(\S+)\/cases\//.exec(stdout)?.[1];
  assert.ok(workspace, "the demo names its workspace");
  await assert.rejects(() => Deno.stat(workspace), "--clean removed the workspace");
});
