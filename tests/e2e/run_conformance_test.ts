/**
 * `deno task conformance <dir>` end to end: a read-only folder of the engine's fixture cases
 * with an `expected.json` of hand-derived costs, run through a launched server over MCP.
 *
 * Every fixture stage is one 720 h block (costs in $):
 * - thermal_merit_order: 60 MW at 10 $/MWh, then 80 MW at 10 + 40 MW at 30:
 *   60*10*720 + (80*10 + 40*30)*720 = 432,000 + 1,440,000 = 1,872,000.
 * - hydro_water_value: 25.92 hm3 (10 MW for one stage) saved for stage 1, where it displaces the
 *   100 $/MWh thermal: 50*10*720 + (100*10 + 40*100)*720 = 360,000 + 3,600,000 = 3,960,000.
 * - binding_line: 30 MW through the line at 10 + 0.5 $/MWh, 20 MW at 80 $/MWh:
 *   (30*10 + 30*0.5 + 20*80)*720 = 1,378,800.
 * - cascade: 10 m3/s through both plants gives 10 + 20 MW of 40; the thermal covers 10 MW at
 *   50 $/MWh: 10*50*720 = 360,000.
 * - stochastic_par: no expected cost; it must run and its outputs read back.
 */
import assert from "node:assert/strict";
import { copyTree } from "../output/helpers.ts";
import { ENGINE_FIXTURES } from "../server/run_support.ts";
import { REPO_ROOT } from "./support.ts";

const EXPECTED = {
  thermal_merit_order: 1_872_000,
  hydro_water_value: 3_960_000,
  binding_line: 1_378_800,
  cascade: 360_000,
};

async function makeReadOnly(dir: string, writable: boolean): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) await makeReadOnly(`${dir}/${entry.name}`, writable);
  }
  await Deno.chmod(dir, writable ? 0o755 : 0o555);
}

/** A folder of fixture cases plus `expected.json`, made read-only; removed on dispose. */
async function conformanceFolder(
  cases: readonly string[],
  expected: Record<string, { cost: number; abs_tol: number }>,
) {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "cobre-conformance-src-" }));
  for (const name of cases) await copyTree(`${ENGINE_FIXTURES}/${name}`, `${root}/${name}`);
  await Deno.writeTextFile(`${root}/expected.json`, JSON.stringify({ cases: expected }, null, 2));
  await makeReadOnly(root, false);
  return {
    root,
    [Symbol.asyncDispose]: async () => {
      await makeReadOnly(root, true);
      await Deno.remove(root, { recursive: true });
    },
  };
}

async function conformance(dir: string): Promise<{ code: number; stdout: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "conformance", dir],
    cwd: REPO_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: output.code, stdout: new TextDecoder().decode(output.stdout) };
}

function row(stdout: string, name: string): string[] {
  const line = stdout.split("\n").find((l) => l.startsWith(`${name} `));
  assert.ok(line, `no row for ${name} in:\n${stdout}`);
  return line.trim().split(/\s+/);
}

Deno.test("deno task conformance passes hand-derived costs and runs cases without one, never writing the source", async () => {
  await using folder = await conformanceFolder(
    [...Object.keys(EXPECTED), "stochastic_par"],
    Object.fromEntries(
      Object.entries(EXPECTED).map(([name, cost]) => [name, { cost, abs_tol: 1e-6 }]),
    ),
  );
  const before = [...Deno.readDirSync(folder.root)].map((e) => e.name).sort();
  const { code, stdout } = await conformance(folder.root);
  assert.equal(code, 0, stdout);
  for (const [name, cost] of Object.entries(EXPECTED)) {
    const [, expected, got, , verdict] = row(stdout, name);
    assert.equal(Number(expected), cost);
    assert.ok(Math.abs(Number(got) - cost) <= 1e-6 + 1e-7 * cost, `${name}: ${got}`);
    assert.equal(verdict, "pass", name);
  }
  const [, expected, , , verdict] = row(stdout, "stochastic_par");
  assert.equal(expected, "-");
  assert.equal(verdict, "ran");
  assert.match(stdout, /\n5 passed, 0 failed\n?$/);
  // The source folder is read-only and was left as it was: no output/ next to any case.
  assert.deepEqual([...Deno.readDirSync(folder.root)].map((e) => e.name).sort(), before);
  for (const name of Object.keys(EXPECTED)) {
    assert.equal(await Deno.stat(`${folder.root}/${name}/output`).catch(() => null), null);
  }
});

Deno.test("deno task conformance fails on a cost outside tolerance and on a listed case that is missing", async () => {
  await using folder = await conformanceFolder(["thermal_merit_order"], {
    // One dollar off: outside max(1e-6, 1e-7 * 1,872,001) = 0.187.
    thermal_merit_order: { cost: 1_872_001, abs_tol: 1e-6 },
    not_here: { cost: 1, abs_tol: 0 },
  });
  const { code, stdout } = await conformance(folder.root);
  assert.equal(code, 1, stdout);
  assert.equal(row(stdout, "thermal_merit_order")[4], "FAIL");
  assert.equal(row(stdout, "not_here")[4], "FAIL");
  assert.match(stdout, /thermal_merit_order: lower bound outside tolerance/);
  assert.match(stdout, /not_here: listed in expected.json but no such case directory/);
  assert.match(stdout, /\n0 passed, 2 failed\n?$/);
});
