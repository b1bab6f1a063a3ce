/**
 * Benchmarks of the case layer on a synthetic case the size of a national study:
 * 160 hydros, 300 thermals, 10 buses, 120 monthly stages of 3 blocks, PAR(6).
 *
 *   npx -y deno@2.9.5 bench -A tests/case/case_bench.ts
 *
 * @module
 */
import { join } from "node:path";
import { directFileAccess } from "../../src/common/mod.ts";
import { inspectCase, listScenarios, loadCase, validateCase } from "../../src/case/mod.ts";
import { writeCase } from "../../fixtures/case/make_fixtures.ts";
import { parquetBytes } from "../../fixtures/case/parquet.ts";

const HYDROS = 160;
const THERMALS = 300;
const BUSES = 10;
const STAGES = 120;
const AR_ORDER = 6;

function isoMonth(i: number): string {
  const year = 2025 + Math.floor(i / 12);
  return `${year}-${String((i % 12) + 1).padStart(2, "0")}-01`;
}

function largeCase(): Record<string, Record<string, unknown> | Uint8Array> {
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  const stageIds = range(STAGES);
  const pairs = <T>(ids: number[], f: (id: number, stage: number) => T) =>
    ids.flatMap((id) => stageIds.map((s) => f(id, s)));
  const hydroIds = range(HYDROS);
  const busIds = range(BUSES);
  const arRows = hydroIds.flatMap((h) =>
    stageIds.flatMap((s) => range(AR_ORDER).map((l) => [h, s, l + 1]))
  );
  return {
    "config.json": {
      training: { forward_passes: 8, stopping_rules: [{ type: "iteration_limit", limit: 50 }] },
    },
    "stages.json": {
      policy_graph: { type: "finite_horizon", annual_discount_rate: 0.1 },
      stages: stageIds.map((i) => ({
        id: i,
        start_date: isoMonth(i),
        end_date: isoMonth(i + 1),
        blocks: [{ id: 0, name: "P", hours: 100 }, { id: 1, name: "M", hours: 300 }, {
          id: 2,
          name: "L",
          hours: 330,
        }],
        state_variables: { storage: true, inflow_lags: true },
        num_scenarios: 20,
      })),
    },
    "penalties.json": {
      bus: { deficit_segments: [{ depth_mw: null, cost: 5000 }], excess_cost: 0.1 },
      line: { exchange_cost: 0.1 },
      hydro: {
        spillage_cost: 0.01,
        fpha_turbined_cost: 0.01,
        diversion_cost: 0.1,
        storage_violation_below_cost: 9000,
        filling_target_violation_cost: 9000,
        turbined_violation_below_cost: 900,
        outflow_violation_below_cost: 900,
        outflow_violation_above_cost: 900,
        generation_violation_below_cost: 900,
        evaporation_violation_cost: 900,
        water_withdrawal_violation_cost: 900,
      },
      non_controllable_source: { curtailment_cost: 0.01 },
    },
    "initial_conditions.json": {
      storage: hydroIds.map((h) => ({ hydro_id: h, value_hm3: 500 })),
      filling_storage: [],
      past_inflows: hydroIds.map((h) => ({
        hydro_id: h,
        values_m3s: range(AR_ORDER).map(() => 100),
      })),
    },
    "system/buses.json": { buses: busIds.map((b) => ({ id: b, name: `B${b}` })) },
    "system/lines.json": {
      lines: range(BUSES - 1).map((l) => ({
        id: l,
        name: `L${l}`,
        source_bus_id: l,
        target_bus_id: l + 1,
        capacity: { direct_mw: 1000, reverse_mw: 1000 },
      })),
    },
    "system/hydros.json": {
      hydros: hydroIds.map((h) => ({
        id: h,
        name: `H${h}`,
        bus_id: h % BUSES,
        downstream_id: h % 8 === 7 ? null : h + 1,
        reservoir: { min_storage_hm3: 0, max_storage_hm3: 1000 },
        outflow: { min_outflow_m3s: 0, max_outflow_m3s: null },
        generation: {
          model: "constant_productivity",
          productivity_mw_per_m3s: 0.9,
          min_turbined_m3s: 0,
          max_turbined_m3s: 500,
          min_generation_mw: 0,
          max_generation_mw: 450,
        },
      })),
    },
    "system/thermals.json": {
      thermals: range(THERMALS).map((t) => ({
        id: t,
        name: `T${t}`,
        bus_id: t % BUSES,
        cost_per_mwh: 50 + t,
        generation: { min_mw: 0, max_mw: 200 },
      })),
    },
    "scenarios/inflow_seasonal_stats.parquet": parquetBytes([
      { name: "hydro_id", type: "INT32", data: pairs(hydroIds, (h) => h) },
      { name: "stage_id", type: "INT32", data: pairs(hydroIds, (_, s) => s) },
      { name: "mean_m3s", type: "DOUBLE", data: pairs(hydroIds, () => 300) },
      { name: "std_m3s", type: "DOUBLE", data: pairs(hydroIds, () => 60) },
    ]),
    "scenarios/inflow_ar_coefficients.parquet": parquetBytes([
      { name: "hydro_id", type: "INT32", data: arRows.map((r) => r[0] ?? 0) },
      { name: "stage_id", type: "INT32", data: arRows.map((r) => r[1] ?? 0) },
      { name: "lag", type: "INT32", data: arRows.map((r) => r[2] ?? 1) },
      { name: "coefficient", type: "DOUBLE", data: arRows.map(() => 0.1) },
      { name: "residual_std_ratio", type: "DOUBLE", data: arRows.map(() => 0.9) },
    ]),
    "scenarios/load_seasonal_stats.parquet": parquetBytes([
      { name: "bus_id", type: "INT32", data: pairs(busIds, (b) => b) },
      { name: "stage_id", type: "INT32", data: pairs(busIds, (_, s) => s) },
      { name: "mean_mw", type: "DOUBLE", data: pairs(busIds, () => 5000) },
      { name: "std_mw", type: "DOUBLE", data: pairs(busIds, () => 100) },
    ]),
  };
}

const root = await Deno.makeTempDir({ prefix: "cobre_case_bench_" });
const dir = join(root, "large");
await writeCase(dir, largeCase());
const check = await validateCase(dir, directFileAccess);
if (!check.valid) {
  throw new Error(`benchmark case is invalid: ${JSON.stringify(check.errors.slice(0, 3))}`);
}

Deno.bench("validateCase() on 160 hydros x 120 stages, PAR(6)", async () => {
  await validateCase(dir, directFileAccess);
});

Deno.bench("loadCase() on 160 hydros x 120 stages, PAR(6)", async () => {
  await loadCase(dir, directFileAccess);
});

Deno.bench("inspectCase() on the same case", async () => {
  await inspectCase(dir, directFileAccess);
});

Deno.bench("listScenarios() on the same case", async () => {
  await listScenarios(dir, directFileAccess);
});

globalThis.addEventListener("unload", () => Deno.removeSync(root, { recursive: true }));
