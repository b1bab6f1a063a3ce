/**
 * Forward pass: one sampled trajectory through all stages under the current cuts, recording the
 * trial states the backward pass builds cuts at and the stage costs the upper bound averages.
 *
 * @module
 */
import type { LpBasis } from "./lp/mod.ts";
import { openingNoise, RNG_DOMAIN, sampleOpening } from "./scenarios/mod.ts";
import type { StageRunner } from "./stage_runner.ts";
import { COST_SCALE } from "./stage_lp.ts";
import type { StageLayout } from "./stage_lp.ts";

/** A forward pass to run: which iteration and pass, and the warm-start basis per stage. */
export interface ForwardTask {
  iteration: number;
  pass: number;
  bases: (LpBasis | null)[];
}

/** What one forward pass produced. */
export interface ForwardTrajectory {
  pass: number;
  /** Sum of discounted immediate costs, in $. */
  cost: number;
  /** Outgoing state of every stage (the trial points of the backward pass). */
  states: Float64Array[];
  /** Optimal basis of every stage solve (warm starts for the backward pass and next iteration). */
  bases: (LpBasis | null)[];
}

/** Outgoing state of a solved stage: storage, then lags shifted by the realised inflow. */
export function outgoingState(
  layout: StageLayout,
  primal: Float64Array,
  incoming: Float64Array,
): Float64Array {
  const n = layout.nHydros;
  const next = new Float64Array(incoming.length);
  for (let h = 0; h < n; h++) next[h] = primal[layout.colStorageOut + h]!;
  if (layout.nLags > 0) {
    for (let h = 0; h < n; h++) next[n + h] = primal[layout.colInflow + h]!;
    for (let l = 1; l < layout.nLags; l++) {
      for (let h = 0; h < n; h++) next[n + l * n + h] = incoming[n + (l - 1) * n + h]!;
    }
  }
  return next;
}

/** Undiscounted immediate cost of the last solve of stage `t` in $ (objective minus d_t theta). */
export function immediateCost(runner: StageRunner, t: number, objective: number): number {
  const layout = runner.setup.stages[t]!.layout;
  const theta = runner.primal(t)[layout.colTheta]!;
  return (objective - runner.setup.discount[t]! * theta) * COST_SCALE;
}

/** Runs one forward pass with in-sample opening sampling. */
export function runForwardPass(runner: StageRunner, task: ForwardTask): ForwardTrajectory {
  const { setup } = runner;
  let state = setup.initialState;
  let cost = 0;
  const states: Float64Array[] = [];
  const bases: (LpBasis | null)[] = [];
  setup.stages.forEach((stage, t) => {
    const openings = setup.tree.openings[t]!;
    const o = sampleOpening(setup.seed, RNG_DOMAIN.forward, task.iteration, task.pass, t, openings);
    const objective = runner.solve(
      t,
      state,
      openingNoise(setup.tree, t, o),
      task.bases[t] ?? null,
      {
        phase: "forward",
        stage: t,
        iteration: task.iteration,
        opening: o,
        forwardPass: task.pass,
        scenario: null,
      },
    );
    cost += setup.cumulativeDiscount[t]! * immediateCost(runner, t, objective);
    state = outgoingState(stage.layout, runner.primal(t), state);
    states.push(state);
    bases.push(runner.basis(t));
  });
  return { pass: task.pass, cost, states, bases };
}
