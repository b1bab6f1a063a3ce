/**
 * Progress events a run emits while it works. They are plain data so a Worker can post them.
 *
 * @module
 */

/** Emitted once per completed training iteration. Costs in $. */
export interface ConvergenceUpdate {
  type: "convergence";
  iteration: number;
  lower_bound: number;
  /** Mean cost of this iteration's forward passes. */
  upper_bound: number;
  upper_bound_std: number;
  /** Half-width of the 95% confidence interval of the upper bound. */
  ci_95: number;
  /** Relative gap `(ub - lb) / |ub|`, as a fraction (0.01 = 1%); null when ub is 0. */
  gap: number | null;
  wall_time_ms: number;
  iteration_time_ms: number;
}

/** Emitted as simulated scenarios complete. */
export interface SimulationProgress {
  type: "simulation";
  scenarios_complete: number;
  scenarios_total: number;
  elapsed_ms: number;
}

/** Every event a run can emit. */
export type EngineEvent = ConvergenceUpdate | SimulationProgress;
