/**
 * Backward pass building block: solve stage t at one trial state for a range of openings and
 * return each objective with the duals of the state-fixing rows (the cut gradient). The caller
 * averages them into a cut for stage t-1 (`cuts.ts`). The lower bound uses the same solves at
 * stage 0 from the initial state.
 *
 * @module
 */
import type { LpBasis } from "./lp/mod.ts";
import { openingNoise } from "./scenarios/mod.ts";
import type { SolveSite, StageRunner } from "./stage_runner.ts";

/** Openings `[first, end)` of stage `stage` to solve at `state`, warm-started from `basis`. */
export interface BackwardTask {
  stage: number;
  pass: number;
  first: number;
  end: number;
  state: Float64Array;
  basis: LpBasis | null;
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
 * Solves every opening of a task. The first solve starts from the task's basis and the rest
 * continue from the previous opening's optimum, so results depend on the task, never on which
 * runner executes it.
 */
export function solveOpenings(
  runner: StageRunner,
  task: BackwardTask,
  iteration: number,
  phase: SolveSite["phase"],
): OpeningSolve[] {
  const { setup } = runner;
  const layout = setup.stages[task.stage]!.layout;
  const n = layout.nHydros;
  const results: OpeningSolve[] = [];
  for (let o = task.first; o < task.end; o++) {
    const objective = runner.solve(
      task.stage,
      task.state,
      openingNoise(setup.tree, task.stage, o),
      o === task.first ? task.basis : "continue",
      { phase, stage: task.stage, iteration, opening: o, forwardPass: task.pass, scenario: null },
    );
    const rowDuals = runner.rowDuals(task.stage);
    const duals = new Float64Array(setup.stateDim);
    for (let d = 0; d < setup.stateDim; d++) {
      duals[d] = rowDuals[d < n ? layout.rowStorageFix + d : layout.rowLagFix + (d - n)]!;
    }
    results.push({ pass: task.pass, opening: o, objective, duals });
  }
  return results;
}
