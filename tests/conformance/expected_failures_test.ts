import assert from "node:assert/strict";

const BASELINE = new URL("../../conformance/expected-failures.yml", import.meta.url);

/** Transport scenarios that exercise our own code: they must never be excused. */
const MUST_PASS = [
  "server-initialize",
  "ping",
  "logging-set-level",
  "tools-list",
  "resources-list",
  "prompts-list",
  "dns-rebinding-protection",
  "server-sse-polling",
  "server-sse-multiple-streams",
];

Deno.test("the conformance baseline gives one reason per expected failure and excuses no transport scenario", async () => {
  const lines = (await Deno.readTextFile(BASELINE)).split("\n");
  assert.equal(lines.filter((line) => line.trim() === "server:").length, 1);
  const entries: string[] = [];
  lines.forEach((line, at) => {
    const entry = /^\s+-\s+(\S+)\s*$/.exec(line)?.[1];
    if (entry === undefined) return;
    entries.push(entry);
    assert.match(lines[at - 1] ?? "", /^\s+#\s+\S/, `"${entry}" needs a reason on the line above`);
  });
  assert.ok(entries.length > 0);
  assert.equal(new Set(entries).size, entries.length, "an entry is listed twice");
  for (const scenario of MUST_PASS) assert.equal(entries.includes(scenario), false, scenario);
});
