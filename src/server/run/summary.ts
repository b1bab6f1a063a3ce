/**
 * The `cobre/run` result (Cobre MCP spec SS2.2) from the engine's `RunResult`.
 *
 * Choices where the spec is silent:
 * - `training` is null when training did not run or no iteration completed (a run stopped in its
 *   first iteration has no bounds to report), so its required numbers are never invented.
 * - `final_gap` is a fraction (0.0151 = 1.51%, as in the spec's example) and null when the gap
 *   is undefined (lower bound not positive), as `cobre/query-convergence` reports it.
 * - `simulation.output_files` lists the Hive-partitioned tables written, relative to
 *   `output_dir` (`simulation/costs`), rather than one entry per partition file.
 *
 * @module
 */
import type { RunResult } from "../../engine/mod.ts";

/** `training` of the SS2.2 result. */
export interface RunTrainingSummary {
  iterations: number;
  final_lower_bound: number;
  final_upper_bound: number;
  final_gap: number | null;
  termination_reason: string;
  total_cuts: number;
  wall_time_ms: number;
}

/** `simulation` of the SS2.2 result. */
export interface RunSimulationSummary {
  scenarios: number;
  output_files: string[];
  wall_time_ms: number;
}

/** The SS2.2 success result. */
export interface RunSummary {
  status: "completed" | "partial";
  output_dir: string;
  training: RunTrainingSummary | null;
  simulation: RunSimulationSummary | null;
}

/** What was published of the simulation: scenarios and the tables holding rows. */
export interface SimulationWritten {
  scenarios: number;
  /** Relative to the output directory (`simulation/costs`), sorted. */
  output_files: string[];
}

/**
 * Builds the SS2.2 result of `result`, whose outputs were published at `outputDir` (`written`:
 * its simulation part, counted while the scenarios streamed to the writer).
 */
export function runSummary(
  result: RunResult,
  outputDir: string,
  ran: { training: boolean; simulation: boolean },
  written: SimulationWritten,
): RunSummary {
  const training = result.training;
  const last = training.convergence.at(-1);
  return {
    status: result.status === "complete" ? "completed" : "partial",
    output_dir: outputDir,
    training: ran.training && last !== undefined
      ? {
        iterations: training.iterations_completed,
        final_lower_bound: last.lower_bound,
        final_upper_bound: last.upper_bound_mean,
        final_gap: last.gap_percent === null ? null : last.gap_percent / 100,
        termination_reason: training.termination_reason,
        total_cuts: training.cuts_total_generated,
        wall_time_ms: Math.round(result.solver.training_wall_ms),
      }
      : null,
    simulation: ran.simulation && result.simulation !== null
      ? {
        scenarios: written.scenarios,
        output_files: written.output_files,
        wall_time_ms: Math.round(result.solver.simulation_wall_ms),
      }
      : null,
  };
}
