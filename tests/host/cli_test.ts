import assert from "node:assert/strict";
import { parseHostArgs } from "../../src/host/mod.ts";

Deno.test("parseHostArgs() reads a call with its JSON arguments and options", () => {
  const line = parseHostArgs([
    "call",
    "cobre/validate",
    '{"case_dir": "/data/c1"}',
    "--allowed-dirs",
    "/data,/more",
    "--write",
    "--yes",
    "--state-dir=/s",
    "--save-refs",
    "out",
  ]);
  assert.equal(line.action, "call");
  assert.equal(line.tool, "cobre/validate");
  assert.deepEqual(line.args, { case_dir: "/data/c1" });
  assert.deepEqual(line.allowedDirs, ["/data", "/more"]);
  assert.equal(line.write, true);
  assert.equal(line.yes, true);
  assert.equal(line.stateDir, "/s");
  assert.equal(line.saveRefs, "out");
  assert.equal(line.tokenEnv, "COBRE_MCP_TOKEN");
  assert.equal(line.url, null);
});

Deno.test("parseHostArgs() refuses what it does not understand", async (t) => {
  const cases: [string[], RegExp][] = [
    [[], /needs call or tools/],
    [["run"], /unknown host action/],
    [["call"], /needs a tool name/],
    [["call", "t", "[1]"], /JSON object/],
    [["call", "t", "{oops"], /JSON object/],
    [["call", "t", "{}", "extra"], /unexpected argument/],
    [["call", "t", "--token", "x"], /unknown option --token/],
    [["call", "t", "--url"], /needs a value/],
    [["call", "t", "--write=yes"], /takes no value/],
    [["call", "t", "--write", "--write"], /given twice/],
    [["tools", "x"], /takes no argument/],
  ];
  for (const [argv, message] of cases) {
    await t.step(
      argv.join(" ") || "(nothing)",
      () => assert.throws(() => parseHostArgs(argv), message),
    );
  }
});
