/**
 * A hand-written two-stage Cobre case (one bus, two thermals, no hydros, no Parquet) for server
 * tests. By construction it has 8 input files and 5 entities (1 bus + 2 thermals + 2 stages), so
 * a valid report says files_checked 8, entities_validated 5, layers_completed 5.
 *
 * @module
 */

/** One single-block stage whose block covers the calendar span exactly (744 h, 696 h). */
const stage = (id: number, start: string, end: string, hours: number) => ({
  id,
  start_date: start,
  end_date: end,
  blocks: [{ id: 0, name: "SINGLE", hours }],
  num_scenarios: 1,
});

const thermal = (id: number, busId: number, costPerMwh: number) => ({
  id,
  name: `T${id}`,
  bus_id: busId,
  generation: { min_mw: 0, max_mw: 15 },
  cost_per_mwh: costPerMwh,
});

/** File contents by case-relative path; `thermalBusId` lets a test break a reference. */
export function tinyCaseFiles(thermalBusId = 0): Record<string, unknown> {
  return {
    "config.json": {
      training: { forward_passes: 1, stopping_rules: [{ type: "iteration_limit", limit: 5 }] },
      simulation: { enabled: false, num_scenarios: 1 },
    },
    "stages.json": {
      policy_graph: { type: "finite_horizon", annual_discount_rate: 0 },
      stages: [
        stage(0, "2024-01-01", "2024-02-01", 31 * 24),
        stage(1, "2024-02-01", "2024-03-01", 29 * 24),
      ],
    },
    "penalties.json": {
      bus: { deficit_segments: [{ depth_mw: null, cost: 1000 }], excess_cost: 0.01 },
      line: { exchange_cost: 0.01 },
      hydro: {
        spillage_cost: 0.01,
        fpha_turbined_cost: 0.01,
        diversion_cost: 0.01,
        storage_violation_below_cost: 10000,
        filling_target_violation_cost: 10000,
        turbined_violation_below_cost: 10000,
        outflow_violation_below_cost: 10000,
        outflow_violation_above_cost: 10000,
        generation_violation_below_cost: 10000,
        evaporation_violation_cost: 10000,
        water_withdrawal_violation_cost: 10000,
      },
      non_controllable_source: { curtailment_cost: 0.005 },
    },
    "initial_conditions.json": { storage: [], filling_storage: [] },
    "system/buses.json": {
      buses: [{ id: 0, name: "B0", deficit_segments: [{ depth_mw: null, cost: 1000 }] }],
    },
    "system/lines.json": { lines: [] },
    "system/hydros.json": { hydros: [] },
    "system/thermals.json": { thermals: [thermal(0, thermalBusId, 5), thermal(1, 0, 10)] },
  };
}

/** Writes the tiny case into `dir` (created if needed). */
export async function writeTinyCase(dir: string, thermalBusId = 0): Promise<void> {
  await Deno.mkdir(`${dir}/system`, { recursive: true });
  for (const [path, content] of Object.entries(tinyCaseFiles(thermalBusId))) {
    await Deno.writeTextFile(`${dir}/${path}`, JSON.stringify(content, null, 2));
  }
}
