import assert from "node:assert/strict";
import { CobreError, directFileAccess, type ErrorRecord } from "../../src/common/mod.ts";
import {
  inflowArModel,
  inflowStats,
  initialStorage,
  loadCase,
  loadFactor,
  loadStats,
} from "../../src/case/mod.ts";
import { TINY, TWO_BUS, withScratch } from "./helpers.ts";

Deno.test("loadCase() reads the tiny fixture with the values written in it", async () => {
  const model = await loadCase(TINY, directFileAccess);
  assert.deepEqual(model.stages.map((s) => [s.index, s.id, s.total_hours, s.num_scenarios]), [
    [0, 0, 720, 1],
    [1, 1, 720, 1],
  ]);
  const [hydro] = model.hydros;
  assert.ok(hydro);
  assert.equal(hydro.productivity_mw_per_m3s, 1);
  assert.deepEqual(hydro.stage_bounds[1], {
    min_storage_hm3: 0,
    max_storage_hm3: 1000,
    min_turbined_m3s: 0,
    max_turbined_m3s: 100,
    min_outflow_m3s: 0,
    max_outflow_m3s: null,
    min_generation_mw: 0,
    max_generation_mw: 100,
    max_diversion_m3s: null,
    filling_inflow_m3s: 0,
    water_withdrawal_m3s: 0,
  });
  assert.equal(initialStorage(model, 0), 259.2);
  assert.deepEqual(inflowStats(model, 0, 1), { mean_m3s: 20, std_m3s: 0 });
  assert.deepEqual(loadStats(model, 0, 0), { mean_mw: 100, std_mw: 0 });
  assert.deepEqual(model.thermals[0]?.stage_bounds, [
    { min_generation_mw: 0, max_generation_mw: 80, cost_per_mwh: 50 },
    { min_generation_mw: 0, max_generation_mw: 80, cost_per_mwh: 50 },
  ]);
  assert.deepEqual(model.buses[0]?.deficit_segments, [{ depth_mw: null, cost_per_mwh: 1000 }]);
  assert.deepEqual(model.files_present, [
    "config.json",
    "initial_conditions.json",
    "penalties.json",
    "scenarios/inflow_seasonal_stats.parquet",
    "scenarios/load_seasonal_stats.parquet",
    "stages.json",
    "system/buses.json",
    "system/hydros.json",
    "system/lines.json",
    "system/thermals.json",
  ]);
});

Deno.test("loadCase() applies config defaults the reference documents", async () => {
  const { config } = await loadCase(TINY, directFileAccess);
  assert.equal(config.training.tree_seed, 7);
  assert.equal(config.training.stopping_mode, "any");
  assert.deepEqual(config.training.stopping_rules, [{ type: "iteration_limit", limit: 10 }]);
  assert.deepEqual(config.training.scenario_source, {
    seed: null,
    inflow: "in_sample",
    load: "in_sample",
    ncs: "in_sample",
    historical_years: null,
  });
  assert.equal(config.modeling.inflow_non_negativity.method, "none");
  assert.equal(config.modeling.inflow_non_negativity.penalty_cost, 1000);
  assert.deepEqual(config.simulation, {
    enabled: true,
    num_scenarios: 2,
    policy_type: "outer",
    output_path: null,
    scenario_source: config.training.scenario_source,
  });
  assert.deepEqual(config.policy, {
    path: "./policy",
    mode: "fresh",
    validate_compatibility: true,
  });
  assert.equal(config.exports.cuts, true);
  assert.equal(config.exports.states, false);
  assert.equal(config.exports.compression, null);
});

Deno.test("loadCase() sorts entities by id whatever the declaration order", async () => {
  const model = await loadCase(TWO_BUS, directFileAccess);
  assert.deepEqual(model.buses.map((b) => [b.index, b.id, b.name]), [[0, 0, "NORTH"], [
    1,
    1,
    "SOUTH",
  ]]);
  assert.deepEqual(model.hydros.map((h) => [h.index, h.id, h.downstream_id]), [[0, 0, 1], [
    1,
    1,
    null,
  ]]);
  assert.deepEqual(model.thermals.map((t) => t.name), ["COAL", "DIESEL"]);
});

Deno.test("loadCase() resolves hydro penalties global → entity → stage", async () => {
  const model = await loadCase(TWO_BUS, directFileAccess);
  const [upstream, downstream] = model.hydros;
  assert.ok(upstream && downstream);
  // global 0.01; stage override 0.02 at stage 1 for hydro 0.
  assert.deepEqual(upstream.stage_penalties.map((p) => p.spillage_cost), [0.01, 0.02, 0.01]);
  // entity override 0.05 for hydro 1 at every stage.
  assert.deepEqual(downstream.stage_penalties.map((p) => p.spillage_cost), [0.05, 0.05, 0.05]);
  const p = upstream.stage_penalties[0];
  assert.equal(p?.inflow_nonnegativity_cost, 800);
  // Directional costs fall back to the symmetric ones.
  assert.equal(p?.water_withdrawal_violation_pos_cost, 1000);
  assert.equal(p?.evaporation_violation_neg_cost, 5000);
});

Deno.test("loadCase() resolves bus and line costs and capacities per stage", async () => {
  const model = await loadCase(TWO_BUS, directFileAccess);
  const [north, south] = model.buses;
  assert.deepEqual(north?.deficit_segments, [
    { depth_mw: 50, cost_per_mwh: 500 },
    { depth_mw: null, cost_per_mwh: 2000 },
  ]);
  assert.deepEqual(south?.deficit_segments, [{ depth_mw: null, cost_per_mwh: 3000 }]);
  assert.deepEqual(north?.stage_excess_cost, [0.5, 0.5, 0.5]);
  assert.deepEqual(south?.stage_excess_cost, [0.9, 0.5, 0.5]);
  const line = model.lines[0];
  assert.deepEqual(line?.stage_capacity, [
    { direct_mw: 300, reverse_mw: 200 },
    { direct_mw: 250, reverse_mw: 200 },
    { direct_mw: 300, reverse_mw: 200 },
  ]);
  assert.deepEqual(line?.stage_exchange_cost, [0.2, 0.2, 0.3]);
});

Deno.test("loadCase() merges sparse bounds overrides column by column", async () => {
  const model = await loadCase(TWO_BUS, directFileAccess);
  const [upstream, downstream] = model.hydros;
  assert.deepEqual(upstream?.stage_bounds.map((b) => b.max_storage_hm3), [1000, 800, 1000]);
  assert.deepEqual(upstream?.stage_bounds.map((b) => b.min_outflow_m3s), [0, 0, 0]);
  assert.deepEqual(downstream?.stage_bounds.map((b) => b.min_outflow_m3s), [0, 0, 20]);
  assert.deepEqual(downstream?.stage_bounds.map((b) => b.max_storage_hm3), [500, 500, 500]);
  assert.deepEqual(model.thermals[1]?.stage_bounds, [
    { min_generation_mw: 10, max_generation_mw: 100, cost_per_mwh: 150 },
    { min_generation_mw: 10, max_generation_mw: 100, cost_per_mwh: 150 },
    { min_generation_mw: 10, max_generation_mw: 50, cost_per_mwh: 170 },
  ]);
});

Deno.test("loadCase() applies productivity overrides by stage range", async () => {
  const model = await loadCase(TWO_BUS, directFileAccess);
  assert.deepEqual(model.hydros[0]?.stage_productivity_mw_per_m3s, [0.9, 0.9, 0.9]);
  assert.deepEqual(model.hydros[1]?.stage_productivity_mw_per_m3s, [0.85, 0.9, 0.9]);
  assert.deepEqual(model.hydros[1]?.stage_generation_model, [
    "constant_productivity",
    "constant_productivity",
    "constant_productivity",
  ]);
});

Deno.test("loadCase() applies seasonal productivity overrides by stage season", async () => {
  await withScratch(TWO_BUS, async (c) => {
    await c.writeJson("system/hydro_production_models.json", {
      production_models: [{
        hydro_id: 0,
        selection_mode: "seasonal",
        default_model: "constant_productivity",
        seasons: [{ season_id: 1, model: "constant_productivity", productivity_override: 1.1 }],
      }],
    });
    const model = await loadCase(c.dir, directFileAccess);
    assert.deepEqual(model.hydros[0]?.stage_productivity_mw_per_m3s, [0.9, 1.1, 0.9]);
  });
});

Deno.test("loadCase() indexes scenario statistics by entity and stage, pre-study stages included", async () => {
  const model = await loadCase(TWO_BUS, directFileAccess);
  assert.deepEqual(inflowStats(model, 0, -1), { mean_m3s: 110, std_m3s: 20 });
  assert.deepEqual(inflowStats(model, 1, 2), { mean_m3s: 60, std_m3s: 10 });
  assert.equal(inflowStats(model, 7, 0), null);
  assert.deepEqual(inflowArModel(model, 1, 2), { coefficients: [0.4], residual_std_ratio: 0.9 });
  assert.deepEqual(inflowArModel(model, 0, -1), { coefficients: [], residual_std_ratio: 1 });
  assert.equal(model.scenarios.max_ar_order, 1);
  assert.deepEqual(loadStats(model, 1, 2), { mean_mw: 215, std_mw: 10.75 });
  assert.equal(loadFactor(model, 0, 0, 0), 1.2);
  assert.equal(loadFactor(model, 0, 0, 1), 0.9);
  assert.equal(loadFactor(model, 0, 1, 0), 1);
  assert.equal(loadFactor(model, 1, 0, 0), 1);
});

Deno.test("loadCase() keeps stages, seasons, pre-study stages and initial conditions", async () => {
  const model = await loadCase(TWO_BUS, directFileAccess);
  assert.deepEqual(model.stages.map((s) => [s.id, s.season_id, s.blocks.map((b) => b.hours)]), [
    [0, 0, [200, 544]],
    [1, 1, [200, 496]],
    [2, 2, [200, 544]],
  ]);
  assert.deepEqual(model.stages[0]?.state_variables, { storage: true, inflow_lags: true });
  assert.deepEqual(model.stages[0]?.risk_measure, { kind: "expectation" });
  assert.equal(model.stages[0]?.block_mode, "parallel");
  assert.equal(model.stages[0]?.sampling_method, "saa");
  assert.deepEqual(model.pre_study_stages, [{
    id: -1,
    start_date: "2023-12-01",
    end_date: "2024-01-01",
    season_id: 11,
  }]);
  assert.equal(model.season_definitions?.seasons.length, 12);
  assert.deepEqual(model.policy_graph, {
    type: "finite_horizon",
    annual_discount_rate: 0.06,
    transitions: [],
  });
  assert.equal(initialStorage(model, 0), 400);
  assert.equal(initialStorage(model, 1), 150);
  assert.deepEqual(model.initial_conditions.past_inflows, [
    { hydro_id: 0, values_m3s: [120], season_ids: null },
    { hydro_id: 1, values_m3s: [60], season_ids: null },
  ]);
});

Deno.test("loadCase() returns a model that survives structuredClone (Worker transfer)", async () => {
  const model = await loadCase(TWO_BUS, directFileAccess);
  assert.deepEqual(structuredClone(model), model);
});

Deno.test("loadCase() throws the first validation error with the total count", async () => {
  await withScratch(TINY, async (c) => {
    await c.editJson("system/hydros.json", (d) => (d.hydros[0].bus_id = 9));
    await c.editJson("system/thermals.json", (d) => (d.thermals[0].bus_id = 9));
    await assert.rejects(() => loadCase(c.dir, directFileAccess), (error: unknown) => {
      assert.ok(error instanceof CobreError);
      const record: ErrorRecord = error.record;
      assert.equal(record.kind, "MissingReference");
      assert.equal(record.context.error_count, 2);
      assert.match(record.suggestion ?? "", /2 errors in total/);
      return true;
    });
  });
});

Deno.test("loadCase() reads only through the access it is given", async () => {
  const seen: string[] = [];
  const counting = {
    ...directFileAccess,
    readFile: (p: string) => (seen.push(p), directFileAccess.readFile(p)),
    openFile: (p: string) => (seen.push(p), directFileAccess.openFile(p)),
  };
  await loadCase(TINY, counting);
  assert.equal(seen.length, 10);
  assert.ok(seen.every((p) => p.startsWith(TINY)));
});
