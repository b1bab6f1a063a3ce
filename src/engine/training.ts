/**
 * The SDDP training loop (`sddp-algorithm.md`): per iteration, `forward_passes` sampled forward
 * passes, a backward pass over every opening of every stage adding one cut per trial state, the
 * lower bound from stage 0, then the stopping rules.
 *
 * @module
 */
import { CobreError, errorRecord } from "../common/mod.ts";
import type { BackwardTask, OpeningSolve } from "./backward.ts";
import type { Cut } from "./cuts.ts";
import { aggregateCut } from "./cuts.ts";
import type { ConvergenceUpdate, EngineEvent } from "./events.ts";
import { contiguousLanes, roundRobin } from "./lanes.ts";
import type { ExecutorPool } from "./pool.ts";
import type { ConvergenceRecord, TerminationReason } from "./results.ts";
import type { EngineSetup } from "./setup.ts";
import { COST_SCALE } from "./stage_lp.ts";
import { evaluateStopping } from "./stopping.ts";

/** 97.5% quantile of the standard normal: the 95% confidence half-width factor. */
const Z_95 = 1.959963984540054;

/** Mutable training state shared with the simulation that follows. */
export interface TrainingState {
  /** Cut pool per stage (cuts of stage t bound its theta). */
  cuts: Cut[][];
  /** Outgoing forward states per stage, appended every iteration when the case exports them. */
  visited: number[][];
  convergence: ConvergenceRecord[];
  nextCutId: number;
}

/** How training ended. */
export interface TrainingOutcome {
  reason: TerminationReason;
  /** True when stopped by a request (the policy is that of the last completed iteration). */
  cancelled: boolean;
  trainingSolveCount: number;
}

/** Hooks the caller provides. */
export interface TrainingHooks {
  shouldStop: () => boolean;
  onEvent: (event: EngineEvent) => void;
  /** Lets messages (a cancel) reach the thread between iterations. */
  yieldControl: () => Promise<void>;
}

/** Sample mean, sample standard deviation and 95% half-width. */
export function meanStd(values: readonly number[]): { mean: number; std: number; ci95: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, std: 0, ci95: 0 };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  const std = Math.sqrt(Math.max(0, variance));
  return { mean, std, ci95: Z_95 * std / Math.sqrt(n) };
}

/** Creates empty training state for a setup. */
export function newTrainingState(setup: EngineSetup): TrainingState {
  return {
    cuts: setup.stages.map(() => []),
    visited: setup.stages.map(() => []),
    convergence: [],
    nextCutId: 0,
  };
}

/**
 * Backward tasks of one stage per lane: every (trial state, opening) pair in pass-then-opening
 * order, cut into contiguous runs, one per lane. With as many passes as lanes, lane k solves the
 * openings of pass k, whose forward solve of the same stage its LP just did.
 */
export function backwardLanes(
  stage: number,
  openings: number,
  states: readonly Float64Array[],
): BackwardTask[][] {
  const pairs = states.flatMap((state, pass) =>
    Array.from({ length: openings }, (_, opening) => ({ pass, opening, state }))
  );
  return contiguousLanes(pairs).map((run) => {
    const tasks: BackwardTask[] = [];
    for (const { pass, opening, state } of run) {
      const last = tasks[tasks.length - 1];
      if (last !== undefined && last.pass === pass && last.end === opening) last.end++;
      else tasks.push({ stage, pass, first: opening, end: opening + 1, state });
    }
    return tasks;
  });
}

/** Groups opening solves by forward pass, each sorted by opening. */
function byPass(solves: OpeningSolve[], passes: number): OpeningSolve[][] {
  const groups: OpeningSolve[][] = Array.from({ length: passes }, () => []);
  for (const solve of solves) groups[solve.pass]!.push(solve);
  for (const group of groups) group.sort((a, b) => a.opening - b.opening);
  return groups;
}

/** Runs training iterations until a stopping rule fires or the caller asks to stop. */
export async function train(
  setup: EngineSetup,
  pool: ExecutorPool,
  state: TrainingState,
  hooks: TrainingHooks,
): Promise<TrainingOutcome> {
  const passes = setup.forwardPasses;
  const nStages = setup.stages.length;
  const start = performance.now();
  const lowerBounds: number[] = [];
  let solves = 0;
  for (let iteration = 1;; iteration++) {
    await hooks.yieldControl();
    if (hooks.shouldStop()) {
      return { reason: "cancelled", cancelled: true, trainingSolveCount: solves };
    }
    const iterationStart = performance.now();

    const trajectories = (await pool.forward(
      roundRobin(passes).map((lane) => lane.map((pass) => ({ iteration, pass }))),
    )).sort((a, b) => a.pass - b.pass);
    trajectories.forEach((trajectory) => {
      if (setup.keepVisitedStates) {
        trajectory.states.forEach((s, t) => state.visited[t]!.push(...s));
      }
    });
    solves += passes * nStages;
    const upper = meanStd(trajectories.map((tr) => tr.cost));
    const forwardDone = performance.now();

    let cutsAdded = 0;
    for (let t = nStages - 1; t >= 1; t--) {
      const openings = setup.tree.openings[t]!;
      const tasks = backwardLanes(t, openings, trajectories.map((tr) => tr.states[t - 1]!));
      const results = byPass(await pool.backward(tasks, iteration, "backward"), passes);
      solves += passes * openings;
      results.forEach((group, m) => {
        const cut = aggregateCut(
          group.map((s) => s.objective),
          group.map((s) => s.duals),
          trajectories[m]!.states[t - 1]!,
        );
        state.cuts[t - 1]!.push({
          id: state.nextCutId++,
          iteration,
          forwardPass: m,
          intercept: cut.intercept,
          coefficients: cut.coefficients,
        });
        cutsAdded++;
      });
    }
    const backwardDone = performance.now();

    const lbSolves = byPass(
      await pool.backward(
        backwardLanes(0, setup.tree.openings[0]!, [setup.initialState]),
        iteration,
        "lower_bound",
      ),
      1,
    )[0]!;
    solves += lbSolves.length;
    // Summed in opening order, so the bound does not depend on how lanes returned.
    const lowerBound = lbSolves.reduce((sum, s) => sum + s.objective, 0) / lbSolves.length *
      COST_SCALE;
    if (!Number.isFinite(lowerBound) || !Number.isFinite(upper.mean)) {
      // A solver that reports optimal with a non-finite value must not leak NaN into the bounds.
      throw new CobreError(errorRecord(
        "SolverFailure",
        `Iteration ${iteration} produced a non-finite bound`,
        { iteration, lower_bound: String(lowerBound), upper_bound: String(upper.mean) },
        "Check the case for extreme costs or bounds (values near the 1e20 infinity threshold).",
      ));
    }
    lowerBounds.push(lowerBound);
    const end = performance.now();

    const gap = (upper.mean - lowerBound) / Math.max(1, Math.abs(upper.mean));
    state.convergence.push({
      iteration,
      lower_bound: lowerBound,
      upper_bound_mean: upper.mean,
      upper_bound_std: upper.std,
      gap_percent: lowerBound > 0 ? gap * 100 : null,
      cuts_added: cutsAdded,
      cuts_removed: 0,
      cuts_active: state.cuts.reduce((sum, c) => sum + c.length, 0),
      time_forward_ms: Math.round(forwardDone - iterationStart),
      time_backward_ms: Math.round(backwardDone - forwardDone),
      time_total_ms: Math.round(end - iterationStart),
      forward_passes: passes,
      lp_solves: passes * nStages +
        setup.tree.openings.slice(1).reduce((sum, o) => sum + o * passes, 0) + lbSolves.length,
    });
    const update: ConvergenceUpdate = {
      type: "convergence",
      iteration,
      lower_bound: lowerBound,
      upper_bound: upper.mean,
      upper_bound_std: upper.std,
      ci_95: upper.ci95,
      gap,
      wall_time_ms: end - start,
      iteration_time_ms: end - iterationStart,
    };
    hooks.onEvent(update);

    const decision = evaluateStopping(setup.stopping, {
      iteration,
      elapsedMs: end - start,
      lowerBounds,
    });
    if (decision.stop) {
      return {
        reason: decision.reason ?? "iteration_limit",
        cancelled: false,
        trainingSolveCount: solves,
      };
    }
  }
}
