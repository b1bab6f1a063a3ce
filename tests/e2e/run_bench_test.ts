/**
 * `deno task bench` end to end on tiny stand-ins (fixture cases named 1dtoy and 4ree), so the
 * command a person runs to see the figures keeps working: the engine tables with their ratios,
 * and the query section answering the same rows over MCP as DuckDB does. No figure is asserted:
 * speed is for the benchmark itself, never for a test.
 */
import assert from "node:assert/strict";
import { copyTree } from "../output/helpers.ts";
import { ENGINE_FIXTURES } from "../server/run_support.ts";
import { REPO_ROOT } from "./support.ts";

async function bench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "bench", ...args],
    cwd: REPO_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: text(output.stdout), stderr: text(output.stderr) };
}

Deno.test("deno task bench engine and query print their tables on stand-in cases", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "cobre-bench-test-" }));
  try {
    await copyTree(`${ENGINE_FIXTURES}/thermal_merit_order`, `${root}/cases/1dtoy`);
    await copyTree(`${ENGINE_FIXTURES}/stochastic_par`, `${root}/cases/4ree`);
    const { code, stdout, stderr } = await bench([
      "engine",
      "query",
      "--cases-dir",
      `${root}/cases`,
      "--iterations",
      "3",
      "--baseline-iterations",
      "2",
      "--scenarios",
      "20",
      "--repetitions",
      "2",
      "--cache-dir",
      `${root}/cache`,
    ]);
    assert.equal(code, 0, stderr);
    const rows = (name: string) =>
      stdout.split("\n").filter((l) => l.startsWith(`${name} `)).map((l) => l.trim().split(/\s+/));
    // Main run table: 3 iterations each; baseline table: K = 2 with ratios.
    for (const name of ["1dtoy", "4ree"]) {
      const [main, baseline] = rows(name);
      assert.equal(main?.[1], "3", stdout);
      assert.equal(baseline?.[1], "2", stdout);
      assert.equal(baseline?.filter((cell) => /^\d+\.\d\dx$/.test(cell)).length, 2, stdout);
    }
    // stochastic_par: hydro 0, its 3 stages, scenarios 0-19, one block: 60 rows both ways.
    assert.match(stdout, /hydro 0, stages 0-2, scenarios 0-19/);
    const mcp = stdout.split("\n").find((l) => l.startsWith("cobre/query-results over MCP"));
    const duck = stdout.split("\n").find((l) => l.startsWith("DuckDB read_parquet"));
    assert.match(mcp ?? "", /stdio\s+60\s/);
    assert.match(duck ?? "", /process\s+60\s/);
    assert.doesNotMatch(stdout, /WARNING/);
    // The dataset was generated once and is reused.
    const again = await bench([
      "query",
      "--cases-dir",
      `${root}/cases`,
      "--scenarios",
      "20",
      "--repetitions",
      "1",
      "--cache-dir",
      `${root}/cache`,
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /\(cached\)/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
