import assert from "node:assert/strict";
import { outgoingStateColumn } from "../../src/engine/cuts.ts";
import { prepareSetup } from "../../src/engine/setup.ts";
import { COST_SCALE, HM3_PER_M3S_HOUR } from "../../src/engine/stage_lp.ts";
import { loadFixture } from "./helpers.ts";

/** Coefficient of (row, col) in a CSC model. */
function coefficient(
  model: { colStarts: Int32Array; rowIndex: Int32Array; values: Float64Array },
  row: number,
  col: number,
): number {
  for (let k = model.colStarts[col]!; k < model.colStarts[col + 1]!; k++) {
    if (model.rowIndex[k] === row) return model.values[k]!;
  }
  return 0;
}

Deno.test("prepareSetup() builds the water balance in hm3 with per-block conversion", async () => {
  const setup = prepareSetup(await loadFixture("hydro_water_value"));
  const { model, layout } = setup.stages[0]!;
  const row = layout.rowWaterBalance;
  // v - v_in + 0.0036 * 720 * (q + s) - zeta * z = 0
  assert.equal(coefficient(model, row, layout.colStorageOut), 1);
  assert.equal(coefficient(model, row, layout.colStorageIn), -1);
  assert.equal(coefficient(model, row, layout.colTurbined), HM3_PER_M3S_HOUR * 720);
  assert.equal(coefficient(model, row, layout.colSpillage), HM3_PER_M3S_HOUR * 720);
  assert.equal(coefficient(model, row, layout.colInflow), -layout.zeta);
  // Hydro output enters the bus balance through its productivity (1 MW per m3/s).
  assert.equal(coefficient(model, layout.rowLoadBalance, layout.colTurbined), 1);
});

Deno.test("prepareSetup() scales costs by hours / COST_SCALE and bounds theta only after the last stage", async () => {
  const setup = prepareSetup(await loadFixture("hydro_water_value"));
  const first = setup.stages[0]!;
  const last = setup.stages[1]!;
  // Thermal B: 100 $/MWh over 720 h.
  assert.equal(first.model.colCost[first.layout.colThermal + 1], 100 * 720 / COST_SCALE);
  assert.equal(first.model.colCost[first.layout.colTheta], 1);
  assert.equal(first.model.colUpper[first.layout.colTheta], Infinity);
  assert.equal(last.model.colUpper[last.layout.colTheta], 0);
  // Deficit: 1000 $/MWh.
  assert.equal(first.model.colCost[first.layout.colDeficit[0]!], 1000 * 720 / COST_SCALE);
});

Deno.test("outgoingStateColumn() maps lag 1 of the next stage to this stage's realised inflow", async () => {
  const setup = prepareSetup(await loadFixture("stochastic_par"));
  const layout = setup.stages[0]!.layout;
  assert.equal(setup.stateDim, 2);
  assert.equal(outgoingStateColumn(layout, 0), layout.colStorageOut);
  assert.equal(outgoingStateColumn(layout, 1), layout.colInflow);
  // Initial state: 50 hm3 stored, last observed inflow 35 m3/s.
  assert.deepEqual(Array.from(setup.initialState), [50, 35]);
});

Deno.test("prepareSetup() adds inflow slacks only for the penalty methods", async () => {
  const penalty = prepareSetup(await loadFixture("stochastic_par"));
  assert.ok(penalty.stages[0]!.layout.colInflowSlack >= 0);
  const model = await loadFixture("stochastic_par");
  model.config.modeling.inflow_non_negativity.method = "truncation";
  assert.equal(prepareSetup(model).stages[0]!.layout.colInflowSlack, -1);
});
