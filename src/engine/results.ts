/**
 * Result types of a training + simulation run, shaped so the output layer can map them 1:1 onto
 * the Cobre output format (`book/src/reference/output-format.md`): field names are the Parquet
 * column names, units are in the names, and ids are the case's entity ids (not array positions).
 *
 * Everything here is plain data (no classes, no typed arrays) so a result crosses a Worker
 * boundary with `postMessage` unchanged.
 *
 * @module
 */

/** One row of `training/convergence.parquet`. Costs are in $ (undiscounted to stage 0). */
export interface ConvergenceRecord {
  /** 1-based training iteration. */
  iteration: number;
  lower_bound: number;
  upper_bound_mean: number;
  upper_bound_std: number;
  /** `(ub - lb) / |ub| * 100`; null when the upper bound is zero (no meaningful ratio). */
  gap_percent: number | null;
  cuts_added: number;
  cuts_removed: number;
  cuts_active: number;
  time_forward_ms: number;
  time_backward_ms: number;
  time_total_ms: number;
  forward_passes: number;
  lp_solves: number;
}

/** One Benders cut of `policy/cuts/stage_NNN.bin` (the future cost of the stage it belongs to). */
export interface CutRecord {
  /** Unique across stages and iterations, assigned in generation order. */
  cut_id: number;
  /** Row position of the cut among the stage's cut rows. */
  slot_index: number;
  /** 1-based iteration that generated the cut. */
  iteration: number;
  /** 0-based forward pass whose trial state generated the cut. */
  forward_pass_index: number;
  /**
   * `alpha - beta' x_hat`, so the cut reads `theta >= intercept + coefficients' x`. In Cobre's
   * policy units, as the real CLI writes them: cost divided by `COST_SCALE` (1000), i.e. k$.
   */
  intercept: number;
  /** One per state dimension, in k$/hm3 (storage) and k$/(m3/s) (inflow lags), like Cobre's. */
  coefficients: number[];
  is_active: boolean;
}

/** The cuts of one stage (stage `stage_id` approximates the cost of stages after it). */
export interface StageCuts {
  stage_id: number;
  cuts: CutRecord[];
}

/** `training/dictionaries/state_dictionary.json`: what each cut coefficient refers to. */
export interface StateDictionary {
  version: "1.0";
  state_dimension: number;
  storage_states: { hydro_id: number; dimension_index: number; unit: "hm3" }[];
  inflow_lag_states: {
    hydro_id: number;
    /** 1-based lag: lag 1 is the previous stage's inflow. */
    lag_index: number;
    dimension_index: number;
    unit: "m3s";
  }[];
}

/** The trained policy: the cut pool of every stage plus the state dictionary. */
export interface PolicyResult {
  state_dictionary: StateDictionary;
  stages: StageCuts[];
  /**
   * Visited forward-pass states per stage (row-major, `state_dimension` values each); empty
   * unless the case sets `exports.states` (they grow with iterations x passes x stages).
   */
  visited_states: { stage_id: number; count: number; data: number[] }[];
}

/** Why training stopped; matches the manifest's `convergence.termination_reason` labels. */
export type TerminationReason =
  | "iteration_limit"
  | "time_limit"
  | "bound_stalling"
  | "cancelled"
  | "training_disabled";

/** Everything training produced. */
export interface TrainingResult {
  convergence: ConvergenceRecord[];
  iterations_completed: number;
  /** Lower bound after the last completed iteration ($); null when no iteration completed. */
  final_lower_bound: number | null;
  final_upper_bound_mean: number | null;
  final_gap_percent: number | null;
  termination_reason: TerminationReason;
  /** True when a convergence-oriented rule (not a safety limit) stopped training. */
  converged: boolean;
  /** 1-based iteration at which a convergence rule triggered, else null. */
  converged_at: number | null;
  max_iterations: number | null;
  cuts_total_generated: number;
  cuts_total_active: number;
  cuts_peak_active: number;
  policy: PolicyResult;
}

/** One row of `simulation/costs/` (stage-level: `block_id` is always null). Values in $. */
export interface SimulationCostRow {
  stage_id: number;
  block_id: null;
  /** `immediate_cost + future_cost`: the stage LP's objective in $. */
  total_cost: number;
  immediate_cost: number;
  /** Discounted future-cost term `d_t * theta` of the stage LP, in $. */
  future_cost: number;
  /** Cumulative discount factor from stage 0 to this stage. */
  discount_factor: number;
  thermal_cost: number;
  contract_cost: number;
  deficit_cost: number;
  excess_cost: number;
  storage_violation_cost: number;
  filling_target_cost: number;
  hydro_violation_cost: number;
  outflow_violation_below_cost: number;
  outflow_violation_above_cost: number;
  turbined_violation_cost: number;
  generation_violation_cost: number;
  evaporation_violation_cost: number;
  withdrawal_violation_cost: number;
  inflow_penalty_cost: number;
  generic_violation_cost: number;
  spillage_cost: number;
  fpha_turbined_cost: number;
  curtailment_cost: number;
  exchange_cost: number;
  pumping_cost: number;
}

/** One row of `simulation/hydros/` per (stage, block, hydro). */
export interface SimulationHydroRow {
  stage_id: number;
  block_id: number;
  hydro_id: number;
  turbined_m3s: number;
  spillage_m3s: number;
  outflow_m3s: number;
  /** Null: evaporation is not modelled by this engine. */
  evaporation_m3s: number | null;
  /** Null: diversion is not modelled by this engine. */
  diverted_inflow_m3s: number | null;
  diverted_outflow_m3s: number | null;
  incremental_inflow_m3s: number;
  inflow_m3s: number;
  storage_initial_hm3: number;
  storage_final_hm3: number;
  generation_mw: number;
  generation_mwh: number;
  productivity_mw_per_m3s: number | null;
  spillage_cost: number;
  water_value_per_hm3: number;
  storage_binding_code: number;
  operative_state_code: number;
  turbined_slack_m3s: number;
  outflow_slack_below_m3s: number;
  outflow_slack_above_m3s: number;
  generation_slack_mw: number;
  storage_violation_below_hm3: number;
  filling_target_violation_hm3: number;
  evaporation_violation_pos_m3s: number;
  evaporation_violation_neg_m3s: number;
  inflow_nonnegativity_slack_m3s: number;
  water_withdrawal_violation_pos_m3s: number;
  water_withdrawal_violation_neg_m3s: number;
}

/** One row of `simulation/thermals/` per (stage, block, thermal). */
export interface SimulationThermalRow {
  stage_id: number;
  block_id: number;
  thermal_id: number;
  generation_mw: number;
  generation_mwh: number;
  generation_cost: number;
  is_gnl: boolean;
  gnl_committed_mw: number | null;
  gnl_decision_mw: number | null;
  operative_state_code: number;
}

/** One row of `simulation/exchanges/` per (stage, block, line). */
export interface SimulationExchangeRow {
  stage_id: number;
  block_id: number;
  line_id: number;
  direct_flow_mw: number;
  reverse_flow_mw: number;
  net_flow_mw: number;
  net_flow_mwh: number;
  losses_mw: number;
  losses_mwh: number;
  exchange_cost: number;
  operative_state_code: number;
}

/** One row of `simulation/buses/` per (stage, block, bus). */
export interface SimulationBusRow {
  stage_id: number;
  block_id: number;
  bus_id: number;
  load_mw: number;
  load_mwh: number;
  deficit_mw: number;
  deficit_mwh: number;
  excess_mw: number;
  excess_mwh: number;
  /** Marginal cost of the bus balance in $/MWh. */
  spot_price: number;
}

/** One row of `simulation/inflow_lags/` per (stage, hydro, lag): the lag state entering the stage. */
export interface SimulationInflowLagRow {
  stage_id: number;
  hydro_id: number;
  lag_index: number;
  inflow_m3s: number;
}

/** All rows of one simulated scenario (one `scenario_id=NNNN` partition). */
export interface SimulationScenarioResult {
  scenario_id: number;
  /** Sum over stages of the discounted immediate cost ($). */
  total_cost: number;
  costs: SimulationCostRow[];
  hydros: SimulationHydroRow[];
  thermals: SimulationThermalRow[];
  exchanges: SimulationExchangeRow[];
  buses: SimulationBusRow[];
  inflow_lags: SimulationInflowLagRow[];
}

/** Simulation of the trained policy over `simulation.num_scenarios` sampled scenarios. */
export interface SimulationResult {
  /**
   * Every simulated scenario in `scenario_id` order, or empty when the run streamed them to
   * `RunOptions.onScenarios` as batches finished (the rows are then the consumer's to keep).
   */
  scenarios: SimulationScenarioResult[];
  /**
   * Scenarios simulated (fewer than `scenarios_total` after a cancel); equals `scenarios.length`
   * unless streamed. Optional only for results built before streaming existed.
   */
  scenarios_completed?: number;
  scenarios_total: number;
  mean_cost: number;
  std_cost: number;
  /** Half-width of the 95% confidence interval of the mean cost. */
  ci_95_half_width: number;
}

/** LP solver counters for the benchmark and the `training/solver` outputs. */
export interface SolverStats {
  /** LP solves during training (forward, backward, lower bound). */
  training_lp_solves: number;
  simulation_lp_solves: number;
  /** Milliseconds spent inside HiGHS `run()` during training. */
  training_solve_ms: number;
  simulation_solve_ms: number;
  training_simplex_iterations: number;
  /**
   * Extra HiGHS runs during training after cuts violated at a solution became LP rows (see
   * `active_cuts.ts`); not counted in `training_lp_solves`. Optional for results made before it.
   */
  training_lp_resolves?: number;
  /** Wall time of the training phase in milliseconds. */
  training_wall_ms: number;
  simulation_wall_ms: number;
  /** `training_solve_ms / training_wall_ms`: share of training spent inside the LP solver. */
  training_solver_share: number;
  /** Workers that solved LPs (1 when single-threaded). */
  workers: number;
  solver_version: string;
}

/** What a run returns. `partial` means it was cancelled and holds the last completed iteration. */
export interface RunResult {
  status: "complete" | "partial";
  training: TrainingResult;
  simulation: SimulationResult | null;
  solver: SolverStats;
  /** The seed that drove the opening tree and sampling. */
  seed: number;
  problem_dimensions: {
    num_stages: number;
    num_hydros: number;
    num_thermals: number;
    num_buses: number;
    num_lines: number;
  };
}
