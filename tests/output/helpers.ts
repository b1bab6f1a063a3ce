/**
 * Shared helpers of the output tests: the real-CLI fixture, temporary directories, instrumented
 * file access, and a small hand-made engine result.
 */
import { posix } from "node:path";
import { fileURLToPath } from "node:url";
import { directFileAccess, type FileAccess, type RandomAccessFile } from "../../src/common/mod.ts";
import type {
  RunResult,
  SimulationBusRow,
  SimulationCostRow,
  SimulationExchangeRow,
  SimulationHydroRow,
  SimulationScenarioResult,
  SimulationThermalRow,
} from "../../src/engine/mod.ts";

/** Absolute path of the committed real-CLI-layout fixture. */
export const CLI_FIXTURE = fileURLToPath(
  new URL("../../fixtures/output/cobre-cli", import.meta.url),
);

/** Runs `body` with a fresh temporary directory, removed afterwards. */
export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "cobre-output-test-" });
  try {
    return await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Copies a directory tree (fixture → temp) so a test can damage its copy. */
export async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    const source = posix.join(from, entry.name);
    const target = posix.join(to, entry.name);
    if (entry.isDirectory) await copyTree(source, target);
    else await Deno.copyFile(source, target);
  }
}

/** Every file below `dir`, relative to it, sorted. */
export async function listTree(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory) out.push(...await listTree(posix.join(dir, entry.name), relative));
    else out.push(relative);
  }
  return out.sort();
}

/** File access that records every path opened or read and every byte range fetched. */
export interface RecordingAccess extends FileAccess {
  readonly opened: string[];
  readonly bytesRead: Map<string, number>;
}

/** Wraps `directFileAccess`, recording what is opened and how many bytes are read. */
export function recordingAccess(): RecordingAccess {
  const opened: string[] = [];
  const bytesRead = new Map<string, number>();
  const count = (path: string, n: number) => bytesRead.set(path, (bytesRead.get(path) ?? 0) + n);
  return {
    ...directFileAccess,
    opened,
    bytesRead,
    async readFile(path) {
      opened.push(path);
      const bytes = await directFileAccess.readFile(path);
      count(path, bytes.byteLength);
      return bytes;
    },
    async openFile(path): Promise<RandomAccessFile> {
      opened.push(path);
      const file = await directFileAccess.openFile(path);
      return {
        size: file.size,
        async read(start, end) {
          const bytes = await file.read(start, end);
          count(path, bytes.byteLength);
          return bytes;
        },
        close: () => file.close(),
      };
    },
  };
}

/** A write failure injected by `failingAccess`, standing in for a killed process. */
export class InjectedCrash extends Error {}

/**
 * File access whose `budget`-th write operation (0-based) and every one after it throw: the
 * process is "killed" there, so not even cleanup runs.
 */
export function failingAccess(budget: number): FileAccess & { readonly operations: number } {
  let operations = 0;
  const step = () => {
    if (operations++ >= budget) throw new InjectedCrash(`crash at write operation ${budget}`);
  };
  return {
    ...directFileAccess,
    get operations() {
      return operations;
    },
    async writeNewFile(path, data) {
      step();
      await directFileAccess.writeNewFile(path, data);
    },
    async makeDir(path) {
      step();
      await directFileAccess.makeDir(path);
    },
    async rename(from, to) {
      step();
      await directFileAccess.rename(from, to);
    },
    async remove(path) {
      step();
      await directFileAccess.remove(path);
    },
  };
}

function costRow(stage: number, scenario: number): SimulationCostRow {
  const zero = {
    contract_cost: 0,
    deficit_cost: 0,
    excess_cost: 0,
    storage_violation_cost: 0,
    filling_target_cost: 0,
    hydro_violation_cost: 0,
    outflow_violation_below_cost: 0,
    outflow_violation_above_cost: 0,
    turbined_violation_cost: 0,
    generation_violation_cost: 0,
    evaporation_violation_cost: 0,
    withdrawal_violation_cost: 0,
    inflow_penalty_cost: 0,
    generic_violation_cost: 0,
    spillage_cost: 0,
    fpha_turbined_cost: 0,
    curtailment_cost: 0,
    exchange_cost: 0,
    pumping_cost: 0,
  };
  return {
    stage_id: stage,
    block_id: null,
    total_cost: 100 * (stage + 1) + scenario,
    immediate_cost: 100 * (stage + 1) + scenario,
    future_cost: 0,
    discount_factor: 1,
    thermal_cost: 100 * (stage + 1) + scenario,
    ...zero,
  };
}

function hydroRow(stage: number, scenario: number): SimulationHydroRow {
  return {
    stage_id: stage,
    block_id: 0,
    hydro_id: 7,
    turbined_m3s: 10,
    spillage_m3s: 0,
    outflow_m3s: 10,
    evaporation_m3s: null,
    diverted_inflow_m3s: null,
    diverted_outflow_m3s: null,
    incremental_inflow_m3s: 20,
    inflow_m3s: 20,
    storage_initial_hm3: 50,
    storage_final_hm3: 60 + stage + scenario,
    generation_mw: 9 + stage,
    generation_mwh: (9 + stage) * 720,
    productivity_mw_per_m3s: 0.9,
    spillage_cost: 0,
    water_value_per_hm3: 3.5,
    storage_binding_code: 3,
    operative_state_code: -2,
    turbined_slack_m3s: 0,
    outflow_slack_below_m3s: 0,
    outflow_slack_above_m3s: 0,
    generation_slack_mw: 0,
    storage_violation_below_hm3: 0,
    filling_target_violation_hm3: 0,
    evaporation_violation_pos_m3s: 0,
    evaporation_violation_neg_m3s: 0,
    inflow_nonnegativity_slack_m3s: 0,
    water_withdrawal_violation_pos_m3s: 0,
    water_withdrawal_violation_neg_m3s: 0,
  };
}

function thermalRow(stage: number): SimulationThermalRow {
  return {
    stage_id: stage,
    block_id: 0,
    thermal_id: 3,
    generation_mw: 1 + stage,
    generation_mwh: (1 + stage) * 720,
    generation_cost: (1 + stage) * 720 * 10,
    is_gnl: false,
    gnl_committed_mw: null,
    gnl_decision_mw: null,
    operative_state_code: 2,
  };
}

function busRow(stage: number): SimulationBusRow {
  return {
    stage_id: stage,
    block_id: 0,
    bus_id: 0,
    load_mw: 10,
    load_mwh: 7200,
    deficit_mw: 0,
    deficit_mwh: 0,
    excess_mw: 0,
    excess_mwh: 0,
    spot_price: 10 + stage,
  };
}

function exchangeRow(stage: number): SimulationExchangeRow {
  return {
    stage_id: stage,
    block_id: 0,
    line_id: 0,
    direct_flow_mw: 2,
    reverse_flow_mw: 0,
    net_flow_mw: 2,
    net_flow_mwh: 1440,
    losses_mw: 0,
    losses_mwh: 0,
    exchange_cost: 0,
    operative_state_code: 2,
  };
}

/** One simulated scenario of the small result: 2 stages, one of each entity. */
export function sampleScenario(scenario: number, stages = 2): SimulationScenarioResult {
  const ids = Array.from({ length: stages }, (_, t) => t);
  return {
    scenario_id: scenario,
    total_cost: ids.reduce((sum, t) => sum + 100 * (t + 1) + scenario, 0),
    costs: ids.map((t) => costRow(t, scenario)),
    hydros: ids.map((t) => hydroRow(t, scenario)),
    thermals: ids.map(thermalRow),
    exchanges: ids.map(exchangeRow),
    buses: ids.map(busRow),
    inflow_lags: ids.map((t) => ({ stage_id: t, hydro_id: 7, lag_index: 1, inflow_m3s: 20 + t })),
  };
}

/**
 * A small complete engine result: 2 stages, hydro 7, thermal 3, bus 0, line 0, 3 iterations,
 * `scenarios` simulated scenarios. Values are simple enough to check by hand.
 */
export function sampleRunResult(scenarios = 2): RunResult {
  return {
    status: "complete",
    seed: 11,
    problem_dimensions: {
      num_stages: 2,
      num_hydros: 1,
      num_thermals: 1,
      num_buses: 1,
      num_lines: 1,
    },
    solver: {
      training_lp_solves: 30,
      simulation_lp_solves: 4,
      training_solve_ms: 5,
      simulation_solve_ms: 1,
      training_simplex_iterations: 40,
      training_wall_ms: 90,
      simulation_wall_ms: 10,
      training_solver_share: 0.05,
      workers: 1,
      solver_version: "1.15.3",
    },
    training: {
      convergence: [1, 2, 3].map((iteration) => ({
        iteration,
        lower_bound: 100 * iteration,
        upper_bound_mean: 400 - 50 * iteration,
        upper_bound_std: 10,
        gap_percent: iteration === 3 ? 0 : 50,
        cuts_added: 2,
        cuts_removed: 0,
        cuts_active: 2 * iteration,
        time_forward_ms: 10,
        time_backward_ms: 20,
        time_total_ms: 30,
        forward_passes: 1,
        lp_solves: 10,
      })),
      iterations_completed: 3,
      final_lower_bound: 300,
      final_upper_bound_mean: 250,
      final_gap_percent: 0,
      termination_reason: "iteration_limit",
      converged: false,
      converged_at: null,
      max_iterations: 3,
      cuts_total_generated: 6,
      cuts_total_active: 5,
      cuts_peak_active: 6,
      policy: {
        state_dictionary: {
          version: "1.0",
          state_dimension: 2,
          storage_states: [{ hydro_id: 7, dimension_index: 0, unit: "hm3" }],
          inflow_lag_states: [{ hydro_id: 7, lag_index: 1, dimension_index: 1, unit: "m3s" }],
        },
        stages: [0, 1].map((stage_id) => ({
          stage_id,
          cuts: [1, 2, 3].map((iteration) => ({
            cut_id: 3 * stage_id + iteration,
            slot_index: iteration - 1,
            iteration,
            forward_pass_index: 0,
            intercept: 10 * iteration + stage_id,
            coefficients: [-iteration, 0.5],
            is_active: !(stage_id === 1 && iteration === 1),
          })),
        })),
        visited_states: [{ stage_id: 0, count: 1, data: [55, 20] }],
      },
    },
    simulation: {
      scenarios: Array.from({ length: scenarios }, (_, s) => sampleScenario(s)),
      scenarios_total: scenarios,
      mean_cost: 0,
      std_cost: 0,
      ci_95_half_width: 0,
    },
  };
}

/** Context for `writeRunOutput` with fixed timestamps and entity names. */
export const SAMPLE_CONTEXT = {
  started_at: "2026-02-01T10:00:00Z",
  completed_at: "2026-02-01T10:00:01Z",
  entities: [
    { entity_type_code: 0, entity_id: 7, name: "Serra da Mesa", bus_id: 0 },
    { entity_type_code: 1, entity_id: 3, name: "ANGRA, 1", bus_id: 0 },
  ],
};
