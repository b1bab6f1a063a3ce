import assert from "node:assert/strict";
import { isCobreError } from "../../src/common/mod.ts";
import { trainAndSimulate } from "../../src/engine/mod.ts";
import {
  generateOpeningTree,
  openingNoise,
  RNG_DOMAIN,
  sampleOpening,
} from "../../src/engine/scenarios/mod.ts";
import { assertClose, loadFixture } from "./helpers.ts";

Deno.test("trainAndSimulate() applies per-block load factors to the load", async () => {
  // Merit-order case split into two 360 h blocks with load factors 0.5 and 1.5 at both stages.
  // T0: 80 MW at 10 $/MWh, T1: 100 MW at 30 $/MWh.
  // Stage 0 (60 MW):  block loads 30 and 90: (30*10 + 80*10 + 10*30) * 360 =   504,000
  // Stage 1 (120 MW): block loads 60 and 180: (60*10 + 80*10 + 100*30) * 360 = 1,584,000
  const model = await loadFixture("thermal_merit_order");
  for (const stage of model.stages) {
    stage.blocks = [
      { index: 0, id: 0, name: "LIGHT", hours: 360 },
      { index: 1, id: 1, name: "HEAVY", hours: 360 },
    ];
  }
  model.scenarios.load_factors.set(0, new Map([[0, [0.5, 1.5]], [1, [0.5, 1.5]]]));
  const result = await trainAndSimulate(model);
  assertClose(result.training.final_lower_bound, 2_088_000, "lower bound");
  const loads = result.simulation!.scenarios[0]!.buses.map((b) => b.load_mw);
  assert.deepEqual(loads, [30, 90, 60, 180]);
});

Deno.test("trainAndSimulate() prices the inflow non-negativity slack with the penalty method", async () => {
  // Inflow -10 m3/s into an empty reservoir: a 10 m3/s slack restores balance at
  // 1000 $/(m3/s h) (penalties.json has no inflow_nonnegativity_cost, so Cobre's default) over
  // 720 h = 7,200,000; the thermal serves the 40 MW load: 40 * 50 * 720 = 1,440,000.
  const model = await loadFixture("negative_inflow");
  model.config.modeling.inflow_non_negativity.method = "penalty";
  const result = await trainAndSimulate(model);
  assertClose(result.training.final_lower_bound, 8_640_000, "lower bound");
  const hydro = result.simulation!.scenarios[0]!.hydros[0]!;
  assertClose(hydro.inflow_nonnegativity_slack_m3s, 10, "slack");
  assertClose(result.simulation!.scenarios[0]!.costs[0]!.inflow_penalty_cost, 7_200_000, "penalty");
});

Deno.test("trainAndSimulate() truncates negative modelled inflows to zero", async () => {
  // Mean -10, std 5: inflow = -10 + 5 * eta, clamped at 0 with method "truncation".
  const model = await loadFixture("negative_inflow");
  model.config.modeling.inflow_non_negativity.method = "truncation";
  model.scenarios.inflow_stats.get(0)!.set(0, { mean_m3s: -10, std_m3s: 5 });
  const result = await trainAndSimulate(model);
  const tree = generateOpeningTree(result.seed, [1], 1);
  const eta = openingNoise(tree, 0, 0)[0]!;
  const hydro = result.simulation!.scenarios[0]!.hydros[0]!;
  assertClose(hydro.incremental_inflow_m3s, Math.max(0, -10 + 5 * eta), "truncated inflow");
  // Without truncation the same case is infeasible whenever the draw is negative.
  model.config.modeling.inflow_non_negativity.method = "none";
  if (-10 + 5 * eta < 0) {
    await assert.rejects(() => trainAndSimulate(model), (e: unknown) => isCobreError(e));
  }
});

Deno.test("trainAndSimulate() realises load noise as mean + std * eta of the sampled opening", async () => {
  // stochastic_par: load mean 60 MW, std 5 MW; the noise vector is [inflow eta, load eta].
  const result = await trainAndSimulate(await loadFixture("stochastic_par"));
  const tree = generateOpeningTree(result.seed, [3, 3, 3], 2);
  for (const scenario of result.simulation!.scenarios) {
    for (const bus of scenario.buses) {
      const t = bus.stage_id;
      const o = sampleOpening(result.seed, RNG_DOMAIN.simulation, scenario.scenario_id, 0, t, 3);
      assertClose(bus.load_mw, Math.max(0, 60 + 5 * openingNoise(tree, t, o)[1]!), "load");
    }
  }
  const distinct = new Set(
    result.simulation!.scenarios.flatMap((s) => s.buses.map((b) => b.load_mw)),
  );
  assert.ok(distinct.size > 1, "load varies across scenarios");
});

Deno.test("trainAndSimulate() simulates without cuts when training is off", async () => {
  // Myopic policy: the water is spent in stage 0 (10 MW displacing A at 10 $/MWh), so stage 1
  // pays B for 50 MW: 40*10*720 + (100*10 + 50*100)*720 = 288,000 + 4,320,000.
  const result = await trainAndSimulate(await loadFixture("hydro_water_value"), {
    phases: { training: false, simulation: true },
  });
  assert.equal(result.training.iterations_completed, 0);
  assert.equal(result.training.final_lower_bound, null);
  assert.equal(result.training.termination_reason, "training_disabled");
  assertClose(result.simulation!.mean_cost, 4_608_000, "myopic cost");
});
