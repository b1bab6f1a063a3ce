/**
 * The run API: train a policy for a case and simulate it, reporting progress as events.
 *
 * Designed to run inside a Worker (see `worker.ts`): it only yields to the event loop between
 * iterations and simulation batches, which is where cancellation is checked. A cancelled run
 * returns `status: "partial"` with the policy of the last completed iteration. With
 * `onScenarios`, each simulation batch leaves the run as soon as it is done instead of in the
 * result, so memory does not grow with the number of scenarios.
 *
 * @module
 */
import type { CaseModel } from "./case_types.ts";
import type { Cut } from "./cuts.ts";
import type { EngineEvent } from "./events.ts";
import type { Executor } from "./executor.ts";
import { LocalExecutor, solverWorkersAllowed, WorkerExecutor } from "./executor.ts";
import type { LpMode } from "./lp/mod.ts";
import { runtimeFiles } from "../common/mod.ts";
import { loadHighsRuntime } from "./lp/mod.ts";
import { autoThreads, LANES } from "./lanes.ts";
import { ExecutorPool } from "./pool.ts";
import type {
  CutRecord,
  PolicyResult,
  RunResult,
  SimulationResult,
  SimulationScenarioResult,
  SolverStats,
  StateDictionary,
  TrainingResult,
} from "./results.ts";
import type { EngineSetup } from "./setup.ts";
import { prepareSetup } from "./setup.ts";
import { maxIterations } from "./stopping.ts";
import { meanStd, newTrainingState, train } from "./training.ts";
import type { TrainingState } from "./training.ts";

/** Options of `trainAndSimulate`. */
export interface RunOptions {
  /** Which phases to run; each defaults to the case config (`training.enabled`, `simulation.enabled`). */
  phases?: { training?: boolean; simulation?: boolean };
  /** Aborting stops the run at the next iteration (or simulation batch) boundary. */
  signal?: AbortSignal;
  /** Polled at the same boundaries as `signal`. */
  shouldStop?: () => boolean;
  onEvent?: (event: EngineEvent) => void;
  /**
   * Threads that solve LPs (this one plus solver Workers), at most `LANES` (4). Default "auto":
   * one per core when the case has enough LP solves per iteration to share, else one (see
   * `autoThreads`). Results are bit-identical for any value. Solver Workers need read permission
   * on this folder's modules; without it the run falls back to one thread.
   */
  workers?: number | "auto";
  /**
   * Persistent stage LPs (default: warm re-solves, a working set of cut rows) or a new HiGHS
   * model for every solve holding every cut (the benchmark baseline). Same results either way,
   * up to solver tolerances.
   */
  lpMode?: LpMode;
  /** The HiGHS wasm bytes or compiled module; read from `runtimeFiles().highsWasm` when absent. */
  highsWasm?: Uint8Array | WebAssembly.Module;
  /** Overrides `simulation.num_scenarios`. */
  simulationScenarios?: number;
  /**
   * Receives each finished simulation batch, sorted by `scenario_id`, once and in order; the
   * run awaits it before simulating the next batch (so a slow consumer holds the run back rather
   * than letting rows pile up). When given, the run keeps only each scenario's total cost for the
   * summary and `RunResult.simulation.scenarios` is empty.
   */
  onScenarios?: (batch: SimulationScenarioResult[]) => void | Promise<void>;
}

/** Scenarios simulated between two progress events / cancellation checks. */
const SIMULATION_BATCH_TARGET = 20;

/**
 * Largest batch handed to `onScenarios`. The consumer holds a few batches at a time (see
 * `MAX_BATCHES_OUTSTANDING` in `protocol.ts`), so a fixed size keeps a streamed run's memory flat
 * whatever its number of scenarios; 1/20 of 2000 4ree scenarios held ~1 GB. A multiple of `LANES`.
 */
const STREAMED_BATCH_MAX = 16;

/**
 * Lets queued tasks (an abort of `signal`) run before continuing. A message to itself rather than
 * `setTimeout(0)`, which nested timers clamp to 4 ms: on 1dtoy that idled 15% of the run. Such
 * self-messages can starve messages from another thread for dozens of turns, so the run Worker
 * learns of a cancel through a shared flag (`protocol.ts`), not through its event loop.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      port2.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

function stateDictionary(setup: EngineSetup): StateDictionary {
  const n = setup.nHydros;
  const ids = setup.output.hydroIds;
  return {
    version: "1.0",
    state_dimension: setup.stateDim,
    storage_states: ids.map((hydro_id, h) => ({ hydro_id, dimension_index: h, unit: "hm3" })),
    inflow_lag_states: Array.from({ length: setup.nLags }, (_, l) =>
      ids.map((hydro_id, h) => ({
        hydro_id,
        lag_index: l + 1,
        dimension_index: n + l * n + h,
        unit: "m3s" as const,
      }))).flat(),
  };
}

function cutRecord(cut: Cut, slot: number): CutRecord {
  return {
    cut_id: cut.id,
    slot_index: slot,
    iteration: cut.iteration,
    forward_pass_index: cut.forwardPass,
    // Cobre stores cuts in its LP cost scale; keeping it makes our policy files read the same.
    intercept: cut.intercept,
    coefficients: Array.from(cut.coefficients),
    is_active: true,
  };
}

function policyResult(setup: EngineSetup, state: TrainingState): PolicyResult {
  return {
    state_dictionary: stateDictionary(setup),
    stages: state.cuts.map((cuts, t) => ({
      stage_id: setup.stages[t]!.layout.stageId,
      cuts: cuts.map(cutRecord),
    })),
    visited_states: state.visited.map((data, t) => ({
      stage_id: setup.stages[t]!.layout.stageId,
      count: setup.stateDim === 0 ? 0 : data.length / setup.stateDim,
      data,
    })),
  };
}

async function createExecutors(
  setup: EngineSetup,
  options: RunOptions,
): Promise<{ executors: Executor[]; solverVersion: string }> {
  const given = options.highsWasm ?? await Deno.readFile(runtimeFiles().highsWasm);
  // Compiled once here and shared: Workers receive the module, not 3.5 MB of bytes to compile.
  const wasm = given instanceof WebAssembly.Module ? given : await WebAssembly.compile(given);
  const mode = options.lpMode ?? "persistent";
  const highs = await loadHighsRuntime(wasm);
  // A lane never splits, so threads beyond the lane count would only idle.
  const asked = options.workers ?? "auto";
  const threads = asked === "auto"
    ? autoThreads(setup.forwardPasses, setup.tree.openings, navigator.hardwareConcurrency ?? 1)
    : Math.min(LANES, Math.max(1, Math.floor(asked)));
  const wanted = solverWorkersAllowed() ? threads - 1 : 0;
  const remote = Array.from(
    { length: wanted },
    () => new WorkerExecutor(setup, wasm, mode),
  );
  const local = new LocalExecutor(setup, highs, mode);
  const solverVersion = `HiGHS ${highs.version} (WebAssembly)`;
  try {
    await Promise.all(remote.map((w) => w.ready));
  } catch {
    // Solver Workers could not start. Results do not depend on the number of Workers, so the run
    // goes on in this thread alone; `solver.workers` in the result reports how many solved.
    for (const worker of remote) worker.close();
    return { executors: [local], solverVersion };
  }
  // Remote executors first: the pool posts their work before the local one blocks this thread.
  return { executors: [...remote, local], solverVersion };
}

/** What `simulate` keeps: the scenarios (unless streamed) and every scenario's total cost. */
interface Simulated {
  scenarios: SimulationScenarioResult[];
  totalCosts: number[];
  cancelled: boolean;
}

async function simulate(
  pool: ExecutorPool,
  total: number,
  stop: () => boolean,
  onEvent: (event: EngineEvent) => void,
  onScenarios: RunOptions["onScenarios"],
): Promise<Simulated> {
  const start = performance.now();
  const simulated: Simulated = { scenarios: [], totalCosts: [], cancelled: false };
  const share = Math.ceil(total / SIMULATION_BATCH_TARGET);
  const batch = Math.max(pool.size, onScenarios ? Math.min(share, STREAMED_BATCH_MAX) : share);
  for (let first = 0; first < total; first += batch) {
    await yieldToEventLoop();
    if (stop()) return { ...simulated, cancelled: true };
    // Scenario s always runs on lane s % LANES, in increasing order, whatever the batch size.
    const lanes: number[][] = Array.from({ length: LANES }, () => []);
    for (let s = first; s < Math.min(total, first + batch); s++) lanes[s % LANES]!.push(s);
    const results = (await pool.simulate(lanes)).sort((a, b) => a.scenario_id - b.scenario_id);
    for (const scenario of results) simulated.totalCosts.push(scenario.total_cost);
    if (onScenarios) await onScenarios(results);
    else simulated.scenarios.push(...results);
    onEvent({
      type: "simulation",
      scenarios_complete: simulated.totalCosts.length,
      scenarios_total: total,
      elapsed_ms: performance.now() - start,
    });
  }
  return simulated;
}

function simulationResult(simulated: Simulated, total: number): SimulationResult {
  const costs = simulated.totalCosts;
  const stats = meanStd(costs);
  return {
    scenarios: simulated.scenarios,
    scenarios_completed: costs.length,
    scenarios_total: total,
    mean_cost: costs.length === 0 ? 0 : stats.mean,
    std_cost: stats.std,
    ci_95_half_width: stats.ci95,
  };
}

/**
 * Trains an SDDP policy for `model` and simulates it.
 *
 * Throws a `CobreError` (`IncompatibleSettings`) for case features the engine does not model and
 * (`SolverFailure`) when a stage LP is infeasible or unbounded.
 */
export async function trainAndSimulate(
  model: CaseModel,
  options: RunOptions = {},
): Promise<RunResult> {
  const setup = prepareSetup(model);
  const onEvent = options.onEvent ?? (() => {});
  const stop = () => (options.signal?.aborted ?? false) || (options.shouldStop?.() ?? false);
  const runTraining = options.phases?.training ?? setup.trainingEnabled;
  const runSimulation = options.phases?.simulation ?? setup.simulation.enabled;
  const state = newTrainingState(setup);
  const { executors, solverVersion } = await createExecutors(setup, options);
  const pool = new ExecutorPool(executors, state.cuts);
  try {
    const trainingStart = performance.now();
    const outcome = runTraining
      ? await train(setup, pool, state, {
        shouldStop: stop,
        onEvent,
        yieldControl: yieldToEventLoop,
      })
      : { reason: "training_disabled" as const, cancelled: false, trainingSolveCount: 0 };
    const trainingWall = performance.now() - trainingStart;
    const trainingStats = await pool.stats();

    const total = options.simulationScenarios ?? setup.simulation.scenarios;
    const simulationStart = performance.now();
    const simulated = runSimulation && !outcome.cancelled
      ? await simulate(pool, total, stop, onEvent, options.onScenarios)
      : null;
    const simulationWall = performance.now() - simulationStart;
    const finalStats = await pool.stats();

    const sum = (
      list: typeof finalStats,
      key: "solves" | "solveMs" | "simplexIterations" | "resolves",
    ) => list.reduce((a, s) => a + s[key], 0);
    const trainingSolveMs = sum(trainingStats, "solveMs");
    const solver: SolverStats = {
      training_lp_solves: sum(trainingStats, "solves"),
      simulation_lp_solves: sum(finalStats, "solves") - sum(trainingStats, "solves"),
      training_solve_ms: trainingSolveMs,
      simulation_solve_ms: sum(finalStats, "solveMs") - trainingSolveMs,
      training_simplex_iterations: sum(trainingStats, "simplexIterations"),
      training_lp_resolves: sum(trainingStats, "resolves"),
      training_wall_ms: trainingWall,
      simulation_wall_ms: simulated === null ? 0 : simulationWall,
      training_solver_share: trainingWall > 0 ? trainingSolveMs / trainingWall : 0,
      workers: executors.length,
      solver_version: solverVersion,
    };

    const last = state.convergence[state.convergence.length - 1];
    const allCuts = state.cuts.reduce((a, c) => a + c.length, 0);
    const training: TrainingResult = {
      convergence: state.convergence,
      iterations_completed: state.convergence.length,
      final_lower_bound: last?.lower_bound ?? null,
      final_upper_bound_mean: last?.upper_bound_mean ?? null,
      final_gap_percent: last?.gap_percent ?? null,
      termination_reason: outcome.reason,
      converged: outcome.reason === "bound_stalling",
      converged_at: outcome.reason === "bound_stalling" ? state.convergence.length : null,
      max_iterations: maxIterations(setup.stopping),
      cuts_total_generated: allCuts,
      cuts_total_active: allCuts,
      cuts_peak_active: allCuts,
      policy: policyResult(setup, state),
    };
    const cancelled = outcome.cancelled || (simulated?.cancelled ?? false);
    return {
      status: cancelled ? "partial" : "complete",
      training,
      simulation: simulated === null ? null : simulationResult(simulated, total),
      solver,
      seed: setup.seed,
      problem_dimensions: {
        num_stages: model.stages.length,
        num_hydros: model.hydros.length,
        num_thermals: model.thermals.length,
        num_buses: model.buses.length,
        num_lines: model.lines.length,
      },
    };
  } finally {
    pool.close();
  }
}
