/**
 * Simulation of the trained policy: each scenario samples one opening per stage (in-sample, from
 * its own random stream), solves the stages in order under the final cuts and records the output
 * rows.
 *
 * @module
 */
import { extractStage } from "./extraction.ts";
import { outgoingState } from "./forward.ts";
import type { SimulationScenarioResult } from "./results.ts";
import { openingNoise, RNG_DOMAIN, sampleOpening } from "./scenarios/mod.ts";
import type { Lane } from "./stage_runner.ts";

/** Simulates scenario `scenario` on a lane's LPs. */
export function simulateScenario(lane: Lane, scenario: number): SimulationScenarioResult {
  const { setup } = lane;
  const result: SimulationScenarioResult = {
    scenario_id: scenario,
    total_cost: 0,
    costs: [],
    hydros: [],
    thermals: [],
    exchanges: [],
    buses: [],
    inflow_lags: [],
  };
  let state = setup.initialState;
  setup.stages.forEach((stage, t) => {
    const o = sampleOpening(
      setup.seed,
      RNG_DOMAIN.simulation,
      scenario,
      0,
      t,
      setup.tree.openings[t]!,
    );
    const noise = openingNoise(setup.tree, t, o);
    const objective = lane.solve(t, state, noise, {
      phase: "simulation",
      stage: t,
      iteration: null,
      opening: o,
      forwardPass: null,
      scenario,
    });
    const primal = lane.primal(t);
    const rows = extractStage(setup, {
      t,
      objective,
      primal,
      rowDuals: lane.rowDuals(t),
      incoming: state,
      noise,
    });
    result.total_cost += setup.cumulativeDiscount[t]! * rows.cost.immediate_cost;
    result.costs.push(rows.cost);
    result.hydros.push(...rows.hydros);
    result.thermals.push(...rows.thermals);
    result.exchanges.push(...rows.exchanges);
    result.buses.push(...rows.buses);
    result.inflow_lags.push(...rows.inflowLags);
    state = outgoingState(stage.layout, primal, state);
  });
  return result;
}
