import assert from "node:assert/strict";
import { isCobreError, runtimeFiles } from "../../src/common/mod.ts";
import type { EngineEvent } from "../../src/engine/mod.ts";
import { startRunWorker } from "../../src/engine/mod.ts";
import { assertClose, loadFixture } from "./helpers.ts";

Deno.test("startRunWorker() runs a fixture in a Worker and streams its events", async () => {
  const events: EngineEvent[] = [];
  const handle = startRunWorker(await loadFixture("hydro_water_value"), {}, (e) => events.push(e));
  const result = await handle.result;
  assert.equal(result.status, "complete");
  // Same hand-derived optimum as in train_test.ts: 360,000 + 3,600,000.
  assertClose(result.training.final_lower_bound, 3_960_000, "lower bound");
  const iterations = events.filter((e) => e.type === "convergence").length;
  assert.equal(iterations, result.training.iterations_completed);
  assert.ok(events.some((e) => e.type === "simulation" && e.scenarios_complete === 2));
});

Deno.test("startRunWorker() cancel stops at an iteration boundary with a partial result", async () => {
  const model = await loadFixture("stochastic_par");
  model.config.training.stopping_rules = [{ type: "iteration_limit", limit: 100_000 }];
  let seen = 0;
  const handle = startRunWorker(model, {}, (e) => {
    if (e.type === "convergence" && ++seen === 2) handle.cancel();
  });
  const result = await handle.result;
  assert.equal(result.status, "partial");
  assert.equal(result.training.termination_reason, "cancelled");
  assert.ok(result.training.iterations_completed >= 2);
  assert.ok(result.training.iterations_completed < 100_000);
  const cuts = result.training.policy.stages[0]!.cuts.length;
  assert.equal(cuts, result.training.iterations_completed * 2, "cuts of completed iterations only");
});

Deno.test("startRunWorker() rejects with the engine's error record", async () => {
  const handle = startRunWorker(await loadFixture("negative_inflow"), {}, () => {});
  await assert.rejects(
    () => handle.result,
    (error: unknown) =>
      isCobreError(error) && error.record.kind === "SolverFailure" &&
      error.record.context.solver_status === "infeasible",
  );
});

Deno.test("startRunWorker() spreads the solves over solver Workers inside the run Worker", async () => {
  const handle = startRunWorker(await loadFixture("stochastic_par"), { workers: 2 }, () => {});
  const result = await handle.result;
  assert.equal(result.solver.workers, 2);
  assert.equal(result.training.iterations_completed, 8);
});

Deno.test("startRunWorker() runs in a Worker without any permission when given the wasm bytes", async () => {
  // The sandboxed server passes highs.wasm it read itself; the run needs no file access. Solver
  // Workers would need read access to their module, so the run falls back to one thread.
  const highsWasm = await Deno.readFile(runtimeFiles().highsWasm);
  const handle = startRunWorker(
    await loadFixture("hydro_water_value"),
    { highsWasm, workers: 2 },
    () => {},
    { deno: { permissions: "none" } },
  );
  const result = await handle.result;
  assertClose(result.training.final_lower_bound, 3_960_000, "lower bound");
  assert.equal(result.solver.workers, 1);
});
