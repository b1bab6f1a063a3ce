/**
 * Backward pass building block: solve stage t at one trial state for a range of openings and
 * return each objective with the duals of the state-fixing rows (the cut gradient). The caller
 * averages them into a cut for stage t-1 (`cuts.ts`). The lower bound uses the same solves at
 * stage 0 from the initial state.
 *
 * @module
 */
import { openingNoise } from "./scenarios/mod.ts";
import type { Lane, SolveSite } from "./stage_runner.ts";

/** Openings `[first, end)` of stage `stage` to solve at the trial state of forward pass `pass`. */
export interface BackwardTask {
  stage: number;
  pass: number;
  first: number;
  end: number;
  state: Float64Array;
}

/** One opening's result, in the LP's scaled cost units. */
export interface OpeningSolve {
  pass: number;
  opening: number;
  objective: number;
  /** Duals of the fixing rows, one per state dimension. */
  duals: Float64Array;
}

/**
 * Solves every opening of a task in order on a lane's LP, each continuing from the previous
 * optimum of that LP.
 */
export function solveOpenings(
  lane: Lane,
  task: BackwardTask,
  iteration: number,
  phase: SolveSite["phase"],
): OpeningSolve[] {
  const { setup } = lane;
  const layout = setup.stages[task.stage]!.layout;
  const n = layout.nHydros;
  const results: OpeningSolve[] = [];
  for (let o = task.first; o < task.end; o++) {
    const objective = lane.solve(
      task.stage,
      task.state,
      openingNoise(setup.tree, task.stage, o),
      { phase, stage: task.stage, iteration, opening: o, forwardPass: task.pass, scenario: null },
    );
    const rowDuals = lane.rowDuals(task.stage);
    const duals = new Float64Array(setup.stateDim);
    for (let d = 0; d < setup.stateDim; d++) {
      duals[d] = rowDuals[d < n ? layout.rowStorageFix + d : layout.rowLagFix + (d - n)]!;
    }
    results.push({ pass: task.pass, opening: o, objective, duals });
  }
  return results;
}
