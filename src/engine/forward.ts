/**
 * Forward pass: one sampled trajectory through all stages under the current cuts, recording the
 * trial states the backward pass builds cuts at and the stage costs the upper bound averages.
 *
 * @module
 */
import { openingNoise, RNG_DOMAIN, sampleOpening } from "./scenarios/mod.ts";
import type { Lane } from "./stage_runner.ts";
import { COST_SCALE } from "./stage_lp.ts";
import type { StageLayout } from "./stage_lp.ts";

/** A forward pass to run. */
export interface ForwardTask {
  iteration: number;
  pass: number;
}

/** What one forward pass produced. */
export interface ForwardTrajectory {
  pass: number;
  /** Sum of discounted immediate costs, in $. */
  cost: number;
  /** Outgoing state of every stage (the trial points of the backward pass). */
  states: Float64Array[];
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
export function immediateCost(lane: Lane, t: number, objective: number): number {
  const layout = lane.setup.stages[t]!.layout;
  const theta = lane.primal(t)[layout.colTheta]!;
  return (objective - lane.setup.discount[t]! * theta) * COST_SCALE;
}

/** Runs one forward pass with in-sample opening sampling on a lane's LPs. */
export function runForwardPass(lane: Lane, task: ForwardTask): ForwardTrajectory {
  const { setup } = lane;
  let state = setup.initialState;
  let cost = 0;
  const states: Float64Array[] = [];
  setup.stages.forEach((stage, t) => {
    const openings = setup.tree.openings[t]!;
    const o = sampleOpening(setup.seed, RNG_DOMAIN.forward, task.iteration, task.pass, t, openings);
    const objective = lane.solve(
      t,
      state,
      openingNoise(setup.tree, t, o),
      {
        phase: "forward",
        stage: t,
        iteration: task.iteration,
        opening: o,
        forwardPass: task.pass,
        scenario: null,
      },
    );
    cost += setup.cumulativeDiscount[t]! * immediateCost(lane, t, objective);
    state = outgoingState(stage.layout, lane.primal(t), state);
    states.push(state);
  });
  return { pass: task.pass, cost, states };
}
