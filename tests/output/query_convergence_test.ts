import assert from "node:assert/strict";
import { posix } from "node:path";
import { directFileAccess, isCobreError } from "../../src/common/mod.ts";
import { queryConvergence, writeRunOutput } from "../../src/output/mod.ts";
import { CLI_FIXTURE, copyTree, SAMPLE_CONTEXT, sampleRunResult, withTempDir } from "./helpers.ts";

Deno.test("queryConvergence() derives the SS2.4 fields from the real-CLI convergence.parquet", async () => {
  const history = await queryConvergence({ outputDir: CLI_FIXTURE }, directFileAccess);
  // Fixture: LB 100,150,180,190; UB 300,220,200,195; std 40,20,10,8; 4 forward passes;
  // gap_percent null then (UB-LB)/UB*100; time_total_ms 100,110,120,130.
  // ci_95 = 1.96 * std / sqrt(4) = 0.98 * std; wall time is the running sum of time_total_ms.
  assert.equal(history.total_iterations, 4);
  assert.equal(history.termination_reason, "iteration_limit");
  assert.equal(history.status, "complete");
  const expected = [
    [1, 100, 300, 40, 39.2, null, 100, 100],
    [2, 150, 220, 20, 19.6, 70 / 220, 210, 110],
    [3, 180, 200, 10, 9.8, 0.1, 330, 120],
    [4, 190, 195, 8, 7.84, 5 / 195, 460, 130],
  ];
  assert.equal(history.iterations.length, 4);
  history.iterations.forEach((it, i) => {
    const [iteration, lb, ub, std, ci, gap, wall, time] = expected[i] as (number | null)[];
    assert.equal(it.iteration, iteration);
    assert.equal(it.lower_bound, lb);
    assert.equal(it.upper_bound, ub);
    assert.equal(it.upper_bound_std, std);
    assert.ok(Math.abs((it.ci_95 as number) - (ci as number)) < 1e-12, `ci_95 ${it.ci_95}`);
    if (gap === null) assert.equal(it.gap, null);
    else assert.ok(Math.abs((it.gap as number) - (gap as number)) < 1e-12, `gap ${it.gap}`);
    assert.equal(it.wall_time_ms, wall);
    assert.equal(it.iteration_time_ms, time);
  });
});

Deno.test("iteration_range keeps the cumulative wall time of the whole run", async () => {
  const history = await queryConvergence(
    { outputDir: CLI_FIXTURE, iteration_range: [3, 4] },
    directFileAccess,
  );
  assert.deepEqual(history.iterations.map((it) => [it.iteration, it.wall_time_ms]), [
    [3, 330],
    [4, 460],
  ]);
  assert.equal(history.total_iterations, 4);
});

Deno.test("queryConvergence() reads our own output through the documented training manifest", async () => {
  await withTempDir(async (dir) => {
    const out = posix.join(dir, "output");
    const result = sampleRunResult(1);
    result.training.termination_reason = "bound_stalling";
    result.training.converged = true;
    result.training.converged_at = 3;
    await writeRunOutput(out, directFileAccess, result, SAMPLE_CONTEXT);
    const history = await queryConvergence({ outputDir: out }, directFileAccess);
    assert.equal(history.termination_reason, "bound_stalling");
    assert.equal(history.status, "converged");
    // 1 forward pass: ci_95 = 1.96 * 10; gap_percent 50 → 0.5; 30 ms per iteration.
    assert.deepEqual(history.iterations[0], {
      iteration: 1,
      lower_bound: 100,
      upper_bound: 350,
      upper_bound_std: 10,
      ci_95: 19.6,
      gap: 0.5,
      wall_time_ms: 30,
      iteration_time_ms: 30,
    });
    assert.equal(history.iterations[2]?.wall_time_ms, 90);
  });
});

Deno.test("queryConvergence() reports missing and corrupted logs with registry kinds", async () => {
  await withTempDir(async (dir) => {
    const missing = await queryConvergence({ outputDir: dir }, directFileAccess).catch((e) => e);
    assert.ok(isCobreError(missing));
    assert.equal(missing.record.kind, "OutputNotFound");
    assert.equal(missing.record.context.path, posix.join(dir, "training/convergence.parquet"));

    const out = posix.join(dir, "out");
    await copyTree(CLI_FIXTURE, out);
    const file = posix.join(out, "training/convergence.parquet");
    const bytes = await Deno.readFile(file);
    await Deno.writeFile(file, bytes.slice(0, 100));
    const corrupted = await queryConvergence({ outputDir: out }, directFileAccess).catch((e) => e);
    assert.ok(isCobreError(corrupted));
    assert.equal(corrupted.record.kind, "OutputCorrupted");
    assert.equal(corrupted.record.context.file, file);

    await Deno.writeTextFile(posix.join(out, "training/metadata.json"), "{ not json");
    await Deno.writeFile(file, bytes);
    const badJson = await queryConvergence({ outputDir: out }, directFileAccess).catch((e) => e);
    assert.ok(isCobreError(badJson));
    assert.equal(badJson.record.kind, "OutputCorrupted");
    assert.equal(badJson.record.context.file, posix.join(out, "training/metadata.json"));
  });
});
