import assert from "node:assert/strict";
import type { EngineEvent, RunResult } from "../../src/engine/mod.ts";
import { trainAndSimulate } from "../../src/engine/mod.ts";
import { loadFixture } from "./helpers.ts";

/** The numbers a rerun must reproduce exactly: bounds, cuts and simulated costs. */
function fingerprint(result: RunResult): unknown {
  return {
    convergence: result.training.convergence.map((
      c,
    ) => [c.lower_bound, c.upper_bound_mean, c.upper_bound_std]),
    cuts: result.training.policy.stages.map((s) =>
      s.cuts.map((c) => [c.intercept, ...c.coefficients])
    ),
    simulation: result.simulation?.scenarios.map((
      s,
    ) => [s.total_cost, ...s.hydros.map((h) => h.storage_final_hm3)]),
  };
}

Deno.test("trainAndSimulate() is bit-identical for the same seed and config", async () => {
  const first = await trainAndSimulate(await loadFixture("stochastic_par"));
  const second = await trainAndSimulate(await loadFixture("stochastic_par"));
  assert.deepEqual(fingerprint(second), fingerprint(first));
  assert.equal(first.seed, 11);
});

Deno.test("trainAndSimulate() draws different scenarios for a different seed", async () => {
  const base = await trainAndSimulate(await loadFixture("stochastic_par"));
  const model = await loadFixture("stochastic_par");
  model.config.training.tree_seed = 12;
  const other = await trainAndSimulate(model);
  assert.equal(other.seed, 12);
  assert.notDeepEqual(fingerprint(other), fingerprint(base));
});

Deno.test("trainAndSimulate() solves a small case on one thread unless told otherwise", async () => {
  const result = await trainAndSimulate(await loadFixture("stochastic_par"));
  assert.equal(result.solver.workers, 1, "21 solves per iteration do not pay for a Worker");
});

Deno.test("trainAndSimulate() with two Workers is bit-identical to one", async () => {
  const one = await trainAndSimulate(await loadFixture("stochastic_par"), { workers: 1 });
  const two = await trainAndSimulate(await loadFixture("stochastic_par"), { workers: 2 });
  assert.equal(two.solver.workers, 2);
  assert.deepEqual(fingerprint(two), fingerprint(one));
  assert.equal(two.solver.training_lp_solves, one.solver.training_lp_solves);
});

Deno.test("trainAndSimulate() keeps the policy of the last completed iteration when cancelled", async () => {
  const model = await loadFixture("stochastic_par");
  model.config.training.stopping_rules = [{ type: "iteration_limit", limit: 1000 }];
  let iterations = 0;
  const result = await trainAndSimulate(model, {
    shouldStop: () => iterations >= 3,
    onEvent: (e) => {
      if (e.type === "convergence") iterations = e.iteration;
    },
  });
  assert.equal(result.status, "partial");
  assert.equal(result.training.termination_reason, "cancelled");
  assert.equal(result.training.iterations_completed, 3);
  // 3 iterations x 2 forward passes x 2 stages that receive cuts (the last stage has none).
  const cuts = result.training.policy.stages.map((s) => s.cuts.length);
  assert.deepEqual(cuts, [6, 6, 0]);
  assert.equal(result.simulation, null, "a cancelled run does not simulate");
});

Deno.test("trainAndSimulate() emits one ConvergenceUpdate per iteration, then simulation progress", async () => {
  const events: EngineEvent[] = [];
  const result = await trainAndSimulate(await loadFixture("stochastic_par"), {
    onEvent: (e) => events.push(e),
  });
  const updates = events.filter((e) => e.type === "convergence");
  assert.deepEqual(updates.map((e) => e.iteration), [1, 2, 3, 4, 5, 6, 7, 8]);
  for (const [i, update] of updates.entries()) {
    const record = result.training.convergence[i]!;
    assert.equal(update.lower_bound, record.lower_bound);
    assert.equal(update.upper_bound, record.upper_bound_mean);
    assert.ok(Number.isFinite(update.ci_95) && update.ci_95 >= 0);
  }
  const progress = events.filter((e) => e.type === "simulation");
  assert.equal(progress[progress.length - 1]!.scenarios_complete, 6);
  assert.ok(
    events.findIndex((e) => e.type === "simulation") >
      events.findLastIndex((e) => e.type === "convergence"),
  );
});

Deno.test("trainAndSimulate() counts every LP solve of an iteration", async () => {
  // Per iteration: forward 2 passes x 3 stages, backward 2 passes x 3 openings at stages 1 and 2,
  // lower bound 3 openings at stage 0: 6 + 12 + 3 = 21.
  const result = await trainAndSimulate(await loadFixture("stochastic_par"));
  assert.ok(result.training.convergence.every((c) => c.lp_solves === 21));
  assert.equal(result.solver.training_lp_solves, 21 * 8);
  assert.equal(result.solver.simulation_lp_solves, 6 * 3);
  assert.ok(result.solver.training_solve_ms > 0);
  assert.match(result.solver.solver_version, /^HiGHS 1\.15\./);
});

Deno.test("trainAndSimulate() bounds the simulated cost by the trained lower bound on average", async () => {
  const model = await loadFixture("stochastic_par");
  model.config.training.stopping_rules = [{ type: "iteration_limit", limit: 30 }];
  const result = await trainAndSimulate(model, { simulationScenarios: 60 });
  const sim = result.simulation!;
  assert.equal(sim.scenarios.length, 60);
  // In-sample simulation of a converged policy: the lower bound lies inside the 99.9% band.
  const lb = result.training.final_lower_bound!;
  assert.ok(
    Math.abs(sim.mean_cost - lb) < 3.3 * sim.std_cost / Math.sqrt(60),
    `${sim.mean_cost} vs ${lb}`,
  );
});

Deno.test("trainAndSimulate() keeps visited forward states only when the case exports them", async () => {
  const quiet = await trainAndSimulate(await loadFixture("stochastic_par"));
  assert.ok(quiet.training.policy.visited_states.every((s) => s.count === 0));
  const model = await loadFixture("stochastic_par");
  model.config.exports.states = true;
  const result = await trainAndSimulate(model);
  // 8 iterations x 2 forward passes, 2 state dimensions (storage, inflow lag 1) per state.
  for (const stage of result.training.policy.visited_states) {
    assert.equal(stage.count, 16);
    assert.equal(stage.data.length, 32);
  }
  assert.equal(result.training.policy.state_dictionary.state_dimension, 2);
  assert.deepEqual(result.training.policy.state_dictionary.inflow_lag_states, [
    { hydro_id: 0, lag_index: 1, dimension_index: 1, unit: "m3s" },
  ]);
});
