import assert from "node:assert/strict";
import { isCobreError } from "../../src/common/mod.ts";
import { trainAndSimulate } from "../../src/engine/mod.ts";
import { assertClose, loadFixture } from "./helpers.ts";

// Every fixture stage is one 720 h block; 1 m3/s held for a stage is 0.0036 * 720 = 2.592 hm3.

Deno.test("trainAndSimulate() dispatches thermals in merit order", async () => {
  // T0: 80 MW at 10 $/MWh, T1: 100 MW at 30 $/MWh, load 60 MW then 120 MW.
  // Stage 0: 60 MW from T0            = 60 * 10 * 720            =   432,000
  // Stage 1: 80 MW from T0 + 40 from T1 = (80 * 10 + 40 * 30) * 720 = 1,440,000
  const result = await trainAndSimulate(await loadFixture("thermal_merit_order"));
  assertClose(result.training.final_lower_bound, 1_872_000, "lower bound");
  assertClose(result.training.final_upper_bound_mean, 1_872_000, "upper bound");
  const thermals = result.simulation!.scenarios[0]!.thermals;
  const stage1 = thermals.filter((r) => r.stage_id === 1).map((r) => r.generation_mw);
  assert.deepEqual(stage1.map((v) => Math.round(v * 1e6) / 1e6), [80, 40]);
});

Deno.test("trainAndSimulate() saves water for the stage where it displaces the expensive thermal", async () => {
  // Storage 25.92 hm3 = 10 m3/s for one stage = 10 MW (productivity 1); no inflow.
  // Thermals A: 100 MW at 10 $/MWh, B: 100 MW at 100 $/MWh. Load 50 MW, then 150 MW.
  // Best: keep the water for stage 1, where it displaces B (worth 100 $/MWh, not 10).
  // Stage 0: A 50 MW                  = 50 * 10 * 720                =   360,000
  // Stage 1: hydro 10, A 100, B 40 MW = (100 * 10 + 40 * 100) * 720 = 3,600,000
  const result = await trainAndSimulate(await loadFixture("hydro_water_value"));
  assertClose(result.training.final_lower_bound, 3_960_000, "lower bound");
  const hydros = result.simulation!.scenarios[0]!.hydros;
  assert.ok(Math.abs(hydros[0]!.turbined_m3s) < 1e-7, "no turbining in stage 0");
  assertClose(hydros[0]!.storage_final_hm3, 25.92, "storage kept through stage 0");
  assertClose(hydros[1]!.turbined_m3s, 10, "all water turbined in stage 1");
  assert.ok(Math.abs(hydros[1]!.storage_final_hm3) < 1e-7, "reservoir empty at the end");
  // Stage 0 water value is B's cost per hm3: 100 $/MWh * 720 h * 1 MW/(m3/s) / 2.592 hm3/(m3/s).
  assertClose(-hydros[0]!.water_value_per_hm3, 100 * 720 / 2.592, "water value ($/hm3)");
});

Deno.test("trainAndSimulate() passes upstream releases through the downstream plant", async () => {
  // H0 (productivity 1) holds 25.92 hm3 = 10 m3/s; its releases reach run-of-river H1
  // (productivity 2). Turbining 10 m3/s yields 10 + 20 = 30 MW of the 40 MW load.
  // Thermal covers 10 MW: 10 * 50 * 720 = 360,000 (1,080,000 without the cascade).
  const result = await trainAndSimulate(await loadFixture("cascade"));
  assertClose(result.training.final_lower_bound, 360_000, "lower bound");
  const [upstream, downstream] = result.simulation!.scenarios[0]!.hydros;
  assertClose(upstream!.turbined_m3s, 10, "upstream release");
  assertClose(downstream!.inflow_m3s, 10, "downstream inflow includes the upstream release");
  assertClose(downstream!.generation_mw, 20, "downstream generation");
});

Deno.test("trainAndSimulate() routes the cheap thermal through a binding line", async () => {
  // Load 50 MW at bus 1. Bus 0 thermal at 10 $/MWh reaches it through a 30 MW line
  // (exchange cost 0.5 $/MWh); bus 1 thermal at 80 $/MWh covers the remaining 20 MW.
  // (30 * 10 + 30 * 0.5 + 20 * 80) * 720 = 1915 * 720 = 1,378,800
  const result = await trainAndSimulate(await loadFixture("binding_line"));
  assertClose(result.training.final_lower_bound, 1_378_800, "lower bound");
  const scenario = result.simulation!.scenarios[0]!;
  assertClose(scenario.exchanges[0]!.direct_flow_mw, 30, "line at capacity");
  const prices = scenario.buses.map((b) => b.spot_price);
  assertClose(prices[0]!, 10, "bus 0 price");
  assertClose(prices[1]!, 80, "bus 1 price");
});

Deno.test("trainAndSimulate() discounts the future cost of later stages", async () => {
  // Same costs as the merit-order case, with a 12% annual rate over a 30-day stage 0:
  // lower bound = 432,000 + 1,440,000 / 1.12^(30 / 365.25).
  const model = await loadFixture("thermal_merit_order");
  model.policy_graph.annual_discount_rate = 0.12;
  const result = await trainAndSimulate(model);
  const d0 = 1 / Math.pow(1.12, 30 / 365.25);
  assertClose(result.training.final_lower_bound, 432_000 + 1_440_000 * d0, "lower bound");
  const costs = result.simulation!.scenarios[0]!.costs;
  assertClose(costs[1]!.discount_factor, d0, "stage 1 discount factor");
  assertClose(result.simulation!.mean_cost, 432_000 + 1_440_000 * d0, "simulated cost");
});

Deno.test("trainAndSimulate() reports an infeasible stage as SolverFailure with its context", async () => {
  // Inflow -10 m3/s into an empty reservoir with no non-negativity slack cannot balance.
  const model = await loadFixture("negative_inflow");
  await assert.rejects(
    () => trainAndSimulate(model),
    (error: unknown) => {
      assert.ok(isCobreError(error));
      assert.equal(error.record.kind, "SolverFailure");
      assert.equal(error.record.context.stage, 0);
      assert.equal(error.record.context.iteration, 1);
      assert.equal(error.record.context.forward_pass, 0);
      assert.equal(error.record.context.solver_status, "infeasible");
      assert.deepEqual(error.record.context.active_penalty_slacks, ["deficit", "excess"]);
      return true;
    },
  );
});

Deno.test("trainAndSimulate() refuses case features it does not model", async () => {
  const model = await loadFixture("thermal_merit_order");
  model.stages[0]!.risk_measure = { kind: "cvar", alpha: 0.5, lambda: 0.5 };
  await assert.rejects(
    () => trainAndSimulate(model),
    (error: unknown) => isCobreError(error) && error.record.kind === "IncompatibleSettings",
  );
});

Deno.test("trainAndSimulate() gives the same bounds with rebuilt and persistent LPs", async () => {
  const persistent = await trainAndSimulate(await loadFixture("hydro_water_value"));
  const rebuilt = await trainAndSimulate(await loadFixture("hydro_water_value"), {
    lpMode: "rebuild",
  });
  assertClose(rebuilt.training.final_lower_bound, persistent.training.final_lower_bound!, "lb");
  assert.equal(
    rebuilt.training.convergence.length,
    persistent.training.convergence.length,
  );
});

Deno.test("trainAndSimulate() exports cuts in Cobre's k$ units that reproduce the future cost", async () => {
  // hydro_water_value: keeping 25.92 hm3 for stage 1 leaves it a cost of 3,600,000 $ = 3,600 k$.
  // Each hm3 less costs 100 $/MWh * 720 h / 2.592 hm3 per (m3/s) = 27,777.8 $ = 27.78 k$.
  const result = await trainAndSimulate(await loadFixture("hydro_water_value"));
  const cuts = result.training.policy.stages[0]!.cuts;
  assert.ok(cuts.length > 0);
  assert.equal(result.training.policy.stages[1]!.cuts.length, 0, "the last stage has no future");
  const futureAt = (v: number) =>
    Math.max(...cuts.map((c) => c.intercept + c.coefficients[0]! * v));
  assertClose(futureAt(25.92), 3_600, "future cost at the optimal storage (k$)");
  const slope = futureAt(25.92) - futureAt(25.92 - 1);
  assertClose(-slope, 100 * 720 / 2.592 / 1000, "marginal water value (k$/hm3)");
});

Deno.test("trainAndSimulate() stops on the configured stopping rules and names the one that fired", async () => {
  const stalled = await loadFixture("hydro_water_value");
  // A deterministic case reaches its optimum early; the bound then stops moving.
  stalled.config.training.stopping_rules = [
    { type: "iteration_limit", limit: 50 },
    { type: "bound_stalling", iterations: 2, tolerance: 1e-9 },
  ];
  const byStalling = await trainAndSimulate(stalled);
  assert.equal(byStalling.training.termination_reason, "bound_stalling");
  assert.equal(byStalling.training.converged, true);
  assert.ok(byStalling.training.iterations_completed < 50);

  const timed = await loadFixture("hydro_water_value");
  timed.config.training.stopping_rules = [
    { type: "iteration_limit", limit: 50 },
    { type: "time_limit", seconds: 0 },
  ];
  const byTime = await trainAndSimulate(timed);
  assert.equal(byTime.training.termination_reason, "time_limit");
  assert.equal(byTime.training.iterations_completed, 1);
  assert.equal(byTime.training.converged, false);
});
