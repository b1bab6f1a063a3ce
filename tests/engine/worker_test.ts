import assert from "node:assert/strict";
import { isCobreError, runtimeFiles } from "../../src/common/mod.ts";
import type { EngineEvent } from "../../src/engine/mod.ts";
import { startRunWorker } from "../../src/engine/mod.ts";
import { assertClose, loadFixture } from "./helpers.ts";

Deno.test("startRunWorker() runs a fixture in a Worker and streams its events", async () => {
  const events: EngineEvent[] = [];
  const handle = startRunWorker(await loadFixture("hydro_water_value"), {}, {
    onEvent: (e) => events.push(e),
  });
  const result = await handle.result;
  assert.equal(result.status, "complete");
  // Same hand-derived optimum as in train_test.ts: 360,000 + 3,600,000.
  assertClose(result.training.final_lower_bound, 3_960_000, "lower bound");
  const iterations = events.filter((e) => e.type === "convergence").length;
  assert.equal(iterations, result.training.iterations_completed);
  assert.ok(events.some((e) => e.type === "simulation" && e.scenarios_complete === 2));
});

Deno.test("startRunWorker() cancel stops at the next iteration boundary with a partial result", async () => {
  const model = await loadFixture("stochastic_par");
  model.config.training.stopping_rules = [{ type: "iteration_limit", limit: 100_000 }];
  // Iterations of tens of milliseconds: the run Worker is busy solving when the cancel arrives,
  // and this thread sees each iteration's event well before the next one ends.
  model.config.training.forward_passes = 20;
  let seenAtCancel = 0;
  const handle = startRunWorker(model, {}, {
    onEvent: (e) => {
      if (e.type === "convergence" && e.iteration === 2) {
        seenAtCancel = e.iteration;
        handle.cancel();
      }
    },
  });
  const result = await handle.result;
  assert.equal(result.status, "partial");
  assert.equal(result.training.termination_reason, "cancelled");
  const done = result.training.iterations_completed;
  // The iteration under way when the cancel came may finish; none after it starts (a busy Worker
  // once got the cancel message only 64 iterations later).
  assert.ok(done >= seenAtCancel && done <= seenAtCancel + 2, `stopped after ${done} iterations`);
  const cuts = result.training.policy.stages[0]!.cuts.length;
  assert.equal(cuts, done * 20, "cuts of completed iterations only");
});

Deno.test("startRunWorker() rejects with the engine's error record", async () => {
  const handle = startRunWorker(await loadFixture("negative_inflow"), {});
  await assert.rejects(
    () => handle.result,
    (error: unknown) =>
      isCobreError(error) && error.record.kind === "SolverFailure" &&
      error.record.context.solver_status === "infeasible",
  );
});

Deno.test("startRunWorker() spreads the solves over solver Workers inside the run Worker", async () => {
  const handle = startRunWorker(await loadFixture("stochastic_par"), { workers: 2 });
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
    {},
    { deno: { permissions: "none" } },
  );
  const result = await handle.result;
  assertClose(result.training.final_lower_bound, 3_960_000, "lower bound");
  assert.equal(result.solver.workers, 1);
});
