import assert from "node:assert/strict";
import { buildParModel, parInflow } from "../../src/engine/scenarios/mod.ts";
import { loadFixture } from "./helpers.ts";

const close = (a: number, b: number) => Math.abs(a - b) < 1e-12;

Deno.test("buildParModel() converts standardised AR coefficients to original units", async () => {
  // stochastic_par: mean 30, std 10 at stages -1..2, psi* = 0.4, residual ratio 0.9165.
  //   psi   = 0.4 * 10 / 10      = 0.4
  //   base  = 30 - 0.4 * 30      = 18
  //   sigma = 10 * 0.9165        = 9.165
  const par = buildParModel(await loadFixture("stochastic_par"));
  assert.equal(par.maxOrder, 1);
  for (let t = 0; t < 3; t++) {
    assert.ok(close(par.psi[t]!, 0.4));
    assert.ok(close(par.base[t]!, 18));
    assert.ok(close(par.sigma[t]!, 9.165));
  }
  // Inflow with lag 35 and innovation 1: 18 + 0.4 * 35 + 9.165 = 41.165.
  assert.ok(close(parInflow(par, 0, 0, [35], 1), 41.165));
});

Deno.test("buildParModel() falls back to the season's statistics for a lag stage without its own", async () => {
  // Seasons 0, 1, 2 on stages 0, 1, 2; no stats for stage -1, which maps to season 2 (stage 2:
  // mean 50, std 20). Stage 0: psi = 0.4 * 10 / 20 = 0.2, base = 30 - 0.2 * 50 = 20.
  const model = await loadFixture("stochastic_par");
  model.stages.forEach((stage, t) => (stage.season_id = t));
  const stats = model.scenarios.inflow_stats.get(0)!;
  stats.delete(-1);
  stats.set(2, { mean_m3s: 50, std_m3s: 20 });
  const par = buildParModel(model);
  assert.ok(close(par.psi[0]!, 0.2));
  assert.ok(close(par.base[0]!, 20));
});
