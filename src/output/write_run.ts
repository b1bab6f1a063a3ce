/**
 * Maps the engine's `RunResult` (`src/engine/results.ts`) onto the Cobre output files and writes
 * them atomically. The engine's row types already use Cobre's column names, so the mapping is
 * mostly the policy checkpoint fields the engine does not track (capacity, active indices,
 * metadata) and the manifest summaries.
 *
 * @module
 */
import type { FileAccess } from "../common/mod.ts";
import type { RunResult, SimulationScenarioResult, TrainingResult } from "../engine/mod.ts";
import type { PolicyMetadata, RunInfo, TrainingSummary } from "./manifests.ts";
import { MANIFEST_VERSION } from "./manifests.ts";
import type { PolicyStageCuts, PolicyStageStates } from "./policy_fbs.ts";
import {
  type EntityEntry,
  type PolicyOutput,
  RunOutputWriter,
  type ScenarioTables,
} from "./run_writer.ts";

/** What the engine result does not carry: timestamps, producer, run options, entity names. */
export interface RunOutputContext {
  started_at: string;
  completed_at: string;
  /** Written as `cobre_version`; defaults to `cobre-mcp`. */
  producer?: string;
  hostname?: string;
  stopping_mode?: string;
  policy_mode?: string;
  /** Entity names for `training/dictionaries/entities.csv` (enables name filters in queries). */
  entities?: readonly EntityEntry[];
}

/** Producer string written when the context gives none. */
export const DEFAULT_PRODUCER = "cobre-mcp";

/** The training summary the manifests need, from the engine's training result. */
export function trainingSummaryOf(
  training: TrainingResult,
  runStatus: RunResult["status"],
  durationMs: number,
): TrainingSummary {
  return {
    status: runStatus === "partial" ? "failed" : training.converged ? "converged" : "complete",
    iterations_completed: training.iterations_completed,
    max_iterations: training.max_iterations,
    converged: training.converged,
    converged_at: training.converged_at,
    final_gap_percent: training.final_gap_percent,
    termination_reason: training.termination_reason,
    cuts_total_generated: training.cuts_total_generated,
    cuts_total_active: training.cuts_total_active,
    cuts_peak_active: training.cuts_peak_active,
    duration_ms: durationMs,
  };
}

/** The policy checkpoint of a training result (one `StageCuts` per stage with cuts). */
export function policyOutputOf(
  training: TrainingResult,
  seed: number,
  producer: string,
  createdAt: string,
): PolicyOutput {
  const stateDimension = training.policy.state_dictionary.state_dimension;
  const stages: PolicyStageCuts[] = training.policy.stages.map((stage) => ({
    stage_id: stage.stage_id,
    state_dimension: stateDimension,
    // The engine keeps every generated cut, so the pool holds exactly its cuts.
    capacity: stage.cuts.length,
    warm_start_count: 0,
    cuts: stage.cuts,
    active_cut_indices: stage.cuts.flatMap((cut, index) => cut.is_active ? [index] : []),
    populated_count: stage.cuts.length,
  }));
  const states: PolicyStageStates[] = training.policy.visited_states
    .filter((visited) => visited.count > 0)
    .map((visited) => ({
      stage_id: visited.stage_id,
      state_dimension: stateDimension,
      count: visited.count,
      data: visited.data,
    }));
  const forwardPasses = training.convergence.at(-1)?.forward_passes ?? 0;
  const metadata: PolicyMetadata = {
    version: MANIFEST_VERSION,
    cobre_version: producer,
    created_at: createdAt,
    completed_iterations: training.iterations_completed,
    final_lower_bound: training.final_lower_bound ?? 0,
    best_upper_bound: training.final_upper_bound_mean,
    state_dimension: stateDimension,
    num_stages: stages.length,
    max_iterations: training.max_iterations ?? training.iterations_completed,
    forward_passes: forwardPasses,
    warm_start_cuts: 0,
    warm_start_counts: stages.map(() => 0),
    rng_seed: seed,
    total_visited_states: states.reduce((sum, s) => sum + s.count, 0),
  };
  return { stages, metadata, states };
}

/** The Hive partitions of one simulated scenario. */
export function scenarioTablesOf(scenario: SimulationScenarioResult): ScenarioTables {
  return {
    scenario_id: scenario.scenario_id,
    tables: {
      costs: scenario.costs,
      hydros: scenario.hydros,
      thermals: scenario.thermals,
      exchanges: scenario.exchanges,
      buses: scenario.buses,
      inflow_lags: scenario.inflow_lags,
    },
  };
}

/** The `run_info` part of the metadata for a run. */
export function runInfoOf(result: RunResult, context: RunOutputContext): RunInfo {
  return {
    producer: context.producer ?? DEFAULT_PRODUCER,
    hostname: context.hostname ?? "unknown",
    solver: "highs",
    solver_version: result.solver.solver_version || null,
    started_at: context.started_at,
    completed_at: context.completed_at,
    seed: result.seed,
    forward_passes: result.training.convergence.at(-1)?.forward_passes ?? null,
    stopping_mode: context.stopping_mode ?? "any",
    policy_mode: context.policy_mode ?? "fresh",
    threads: result.solver.workers,
    problem_dimensions: result.problem_dimensions,
  };
}

/** How the phases of a run ended, for the manifests. */
export interface RunOutcomeOptions {
  /**
   * Run status the training summary is marked by: `writeRunOutput` passes the run's, the server
   * passes "partial" only when training itself was stopped (a run stopped while simulating still
   * has a complete policy).
   */
  trainingStatus: RunResult["status"];
  /** Entity names for `training/dictionaries/entities.csv`. */
  entities?: readonly EntityEntry[];
}

/**
 * Finishes an output whose scenarios were already written: training convergence and
 * dictionaries, the policy checkpoint, then `commit` (metadata, manifests, `_SUCCESS` markers,
 * the rename into place). The simulation is complete only if the writer wrote every scenario.
 */
export async function finishRunOutput(
  writer: RunOutputWriter,
  result: RunResult,
  run: RunInfo,
  options: RunOutcomeOptions,
): Promise<void> {
  const training = result.training;
  await writer.writeTraining(training.convergence, {
    stateDictionary: training.policy.state_dictionary,
    ...(options.entities ? { entities: options.entities } : {}),
  });
  if (training.policy.stages.length > 0) {
    await writer.writePolicy(policyOutputOf(training, result.seed, run.producer, run.completed_at));
  }
  const simulation = result.simulation;
  await writer.commit(run, {
    training: trainingSummaryOf(training, options.trainingStatus, result.solver.training_wall_ms),
    ...(simulation
      ? {
        simulation: {
          status: writer.scenariosWritten === simulation.scenarios_total
            ? "complete" as const
            : "partial" as const,
          scenarios_total: simulation.scenarios_total,
          scenarios_failed: 0,
          duration_ms: result.solver.simulation_wall_ms,
        },
      }
      : {}),
  });
}

/**
 * Writes a run's complete output directory at `outputDir`, atomically: every simulated scenario
 * partition, training convergence and dictionaries, the policy checkpoint, then metadata,
 * manifests and `_SUCCESS` markers, then one rename into place. `result` must hold its scenarios
 * (a run without `onScenarios`).
 */
export async function writeRunOutput(
  outputDir: string,
  access: FileAccess,
  result: RunResult,
  context: RunOutputContext,
): Promise<void> {
  const run = runInfoOf(result, context);
  const writer = await RunOutputWriter.open(outputDir, access);
  try {
    for (const scenario of result.simulation?.scenarios ?? []) {
      await writer.writeScenario(scenarioTablesOf(scenario));
    }
    await finishRunOutput(writer, result, run, {
      trainingStatus: result.status,
      ...(context.entities ? { entities: context.entities } : {}),
    });
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
