/**
 * The typed Cobre case model: what `loadCase` returns once every input file has been read,
 * checked and had its defaults applied.
 *
 * Conventions the engine can rely on:
 * - Entity arrays (`buses`, `lines`, `hydros`, `thermals`) and `stages` are sorted by `id`
 *   ascending and carry their position as `index` (declaration order never matters).
 * - Everything that can vary by stage is already resolved per study stage and stored in arrays
 *   indexed by stage `index` (`hydro.stage_bounds[stage.index]`, `thermal.stage_bounds[...]`,
 *   `hydro.stage_penalties[...]`, ...): the penalty cascade global → entity → stage and the sparse
 *   bounds overrides of `constraints/*.parquet` have been applied, so an LP builder never looks
 *   at base values.
 * - Scenario statistics are keyed by entity id and stage id (stage ids of pre-study stages are
 *   negative), read them with the accessors in `lookup.ts`.
 * - The model is plain data (objects, arrays, Maps): it survives `structuredClone` and
 *   `postMessage` to a Worker unchanged.
 *
 * Units are in field names: hm3 (cubic hectometres), m3s (m³/s), mw, mwh, hours.
 *
 * @module
 */

/** A load block of a stage. `index` equals `id` (block ids are contiguous from 0). */
export interface Block {
  index: number;
  id: number;
  name: string;
  hours: number;
}

export type BlockMode = "parallel" | "chronological";

export type SamplingMethod =
  | "saa"
  | "lhs"
  | "qmc_sobol"
  | "qmc_halton"
  | "selective"
  | "historical_residuals";

export type RiskMeasure =
  | { kind: "expectation" }
  | { kind: "cvar"; alpha: number; lambda: number };

/** Which state variables a stage carries forward (`stages.json` `state_variables`). */
export interface StageStateVariables {
  storage: boolean;
  inflow_lags: boolean;
}

/** A study stage (non-negative id), with defaults applied. */
export interface Stage {
  index: number;
  id: number;
  /** ISO date `YYYY-MM-DD`, inclusive. */
  start_date: string;
  /** ISO date `YYYY-MM-DD`, exclusive. */
  end_date: string;
  season_id: number | null;
  blocks: Block[];
  /** Sum of block hours. */
  total_hours: number;
  block_mode: BlockMode;
  state_variables: StageStateVariables;
  risk_measure: RiskMeasure;
  /** Branching factor: openings per stage in the backward pass. */
  num_scenarios: number;
  sampling_method: SamplingMethod;
}

/** A pre-study stage (negative id) used only to seed PAR lags. */
export interface PreStudyStage {
  id: number;
  start_date: string;
  end_date: string;
  season_id: number | null;
}

export interface PolicyGraphTransition {
  source_id: number;
  target_id: number;
  probability: number;
  annual_discount_rate_override: number | null;
}

export interface PolicyGraph {
  type: "finite_horizon" | "cyclic";
  annual_discount_rate: number;
  transitions: PolicyGraphTransition[];
}

export interface Season {
  id: number;
  label: string;
  month_start: number;
  day_start: number | null;
  month_end: number | null;
  day_end: number | null;
}

export interface SeasonDefinitions {
  cycle_type: "monthly" | "weekly" | "custom";
  seasons: Season[];
}

/** One tier of the piecewise-linear deficit cost. `depth_mw` null = unbounded last tier. */
export interface DeficitSegment {
  depth_mw: number | null;
  cost_per_mwh: number;
}

/** Hydro penalty costs after resolution (every field has a value). */
export interface HydroPenalties {
  spillage_cost: number;
  fpha_turbined_cost: number;
  diversion_cost: number;
  storage_violation_below_cost: number;
  filling_target_violation_cost: number;
  turbined_violation_below_cost: number;
  outflow_violation_below_cost: number;
  outflow_violation_above_cost: number;
  generation_violation_below_cost: number;
  evaporation_violation_cost: number;
  water_withdrawal_violation_cost: number;
  water_withdrawal_violation_pos_cost: number;
  water_withdrawal_violation_neg_cost: number;
  evaporation_violation_pos_cost: number;
  evaporation_violation_neg_cost: number;
  /**
   * Cost of the inflow non-negativity slack (per m³/s per hour). Cobre's LP uses this cascade
   * value (penalties.json `hydro.inflow_nonnegativity_cost`, default 1000), not the deprecated
   * `config.modeling.inflow_non_negativity.penalty_cost`.
   */
  inflow_nonnegativity_cost: number;
}

/**
 * The hydro penalties every penalties.json defines and that a stage may override (Cobre's
 * `penalty_overrides_hydro.parquet` columns); the directional and inflow costs are neither.
 */
export const HYDRO_BASE_PENALTY_FIELDS = [
  "spillage_cost",
  "fpha_turbined_cost",
  "diversion_cost",
  "storage_violation_below_cost",
  "filling_target_violation_cost",
  "turbined_violation_below_cost",
  "outflow_violation_below_cost",
  "outflow_violation_above_cost",
  "generation_violation_below_cost",
  "evaporation_violation_cost",
  "water_withdrawal_violation_cost",
] as const satisfies readonly (keyof HydroPenalties)[];

export const HYDRO_PENALTY_FIELDS = [
  ...HYDRO_BASE_PENALTY_FIELDS,
  "water_withdrawal_violation_pos_cost",
  "water_withdrawal_violation_neg_cost",
  "evaporation_violation_pos_cost",
  "evaporation_violation_neg_cost",
  "inflow_nonnegativity_cost",
] as const satisfies readonly (keyof HydroPenalties)[];

/** `penalties.json`, resolved (optional directional costs default to the symmetric ones). */
export interface GlobalPenalties {
  bus_deficit_segments: DeficitSegment[];
  bus_excess_cost: number;
  line_exchange_cost: number;
  hydro: HydroPenalties;
  ncs_curtailment_cost: number;
}

export interface Bus {
  index: number;
  id: number;
  name: string;
  /** Entity segments when given, else the global ones from penalties.json. */
  deficit_segments: DeficitSegment[];
  /** Excess injection cost per study stage (global → stage override). */
  stage_excess_cost: number[];
}

export interface LineCapacity {
  direct_mw: number;
  reverse_mw: number;
}

/** A line as `system/lines.json` gives it, before stage overrides. */
export interface LineEntry {
  id: number;
  name: string;
  source_bus_id: number;
  target_bus_id: number;
  entry_stage_id: number | null;
  exit_stage_id: number | null;
  /** Base capacity from lines.json. */
  capacity: LineCapacity;
  losses_percent: number;
}

export interface Line extends LineEntry {
  index: number;
  /** Capacity per study stage after `constraints/line_bounds.parquet`. */
  stage_capacity: LineCapacity[];
  /** Exchange cost per study stage after the cascade global → entity → stage. */
  stage_exchange_cost: number[];
}

export type HydroGenerationModel = "constant_productivity" | "linearized_head" | "fpha";

/** Operational bounds of a hydro for one stage (base values with overrides applied). */
export interface HydroBounds {
  min_storage_hm3: number;
  max_storage_hm3: number;
  min_turbined_m3s: number;
  max_turbined_m3s: number;
  min_outflow_m3s: number;
  /** null = no upper bound on total outflow. */
  max_outflow_m3s: number | null;
  min_generation_mw: number;
  max_generation_mw: number;
  /** null when the hydro has no diversion channel. */
  max_diversion_m3s: number | null;
  filling_inflow_m3s: number;
  /** Water withdrawn from the reservoir (m³/s); 0 unless hydro_bounds.parquet sets it. */
  water_withdrawal_m3s: number;
}

/** A hydro as `system/hydros.json` gives it, before stage overrides. */
export interface HydroEntry {
  id: number;
  name: string;
  bus_id: number;
  /** Downstream hydro receiving turbined and spilled water; null = tailwater. */
  downstream_id: number | null;
  entry_stage_id: number | null;
  exit_stage_id: number | null;
  generation_model: HydroGenerationModel;
  /** Base productivity from hydros.json (null for fpha). */
  productivity_mw_per_m3s: number | null;
  /** Base bounds from hydros.json. */
  bounds: HydroBounds;
  diversion: { downstream_id: number; max_flow_m3s: number } | null;
  filling: { start_stage_id: number; filling_inflow_m3s: number } | null;
  /** Present in hydros.json but not used by the constant-productivity model. */
  has_evaporation: boolean;
}

export interface Hydro extends HydroEntry {
  index: number;
  /** Bounds per study stage after `constraints/hydro_bounds.parquet`. */
  stage_bounds: HydroBounds[];
  /** Penalties per study stage after the cascade global → entity → stage. */
  stage_penalties: HydroPenalties[];
  /**
   * Productivity per study stage after `system/hydro_production_models.json`
   * (`productivity_override`); equals the base value when no override applies.
   */
  stage_productivity_mw_per_m3s: number[];
  /** Production model per study stage after `system/hydro_production_models.json`. */
  stage_generation_model: HydroGenerationModel[];
}

export interface ThermalBounds {
  min_generation_mw: number;
  max_generation_mw: number;
  cost_per_mwh: number;
}

/** A thermal as `system/thermals.json` gives it, before stage overrides. */
export interface ThermalEntry {
  id: number;
  name: string;
  bus_id: number;
  entry_stage_id: number | null;
  exit_stage_id: number | null;
  min_generation_mw: number;
  max_generation_mw: number;
  cost_per_mwh: number;
  has_gnl_config: boolean;
}

export interface Thermal extends ThermalEntry {
  index: number;
  /** Bounds and cost per study stage after `constraints/thermal_bounds.parquet`. */
  stage_bounds: ThermalBounds[];
}

export interface PastInflow {
  hydro_id: number;
  /** Most recent first: `values_m3s[0]` is lag 1. */
  values_m3s: number[];
  season_ids: number[] | null;
}

export interface RecentObservation {
  hydro_id: number;
  start_date: string;
  end_date: string;
  value_m3s: number;
}

export interface InitialConditions {
  /** Initial storage per hydro id (operating hydros); hydros absent here start at 0 hm³. */
  storage_hm3: Map<number, number>;
  /** Initial storage per hydro id for filling hydros. */
  filling_storage_hm3: Map<number, number>;
  past_inflows: PastInflow[];
  recent_observations: RecentObservation[];
}

export interface InflowSeasonalStats {
  mean_m3s: number;
  std_m3s: number;
}

/** AR model of one (hydro, stage): `coefficients[l - 1]` multiplies lag `l`. */
export interface InflowArModel {
  coefficients: number[];
  residual_std_ratio: number;
}

export interface LoadSeasonalStats {
  mean_mw: number;
  std_mw: number;
}

/** `Map<entity id, Map<stage id, T>>`. */
export type ByEntityStage<T> = Map<number, Map<number, T>>;

export interface ScenarioData {
  /** From `scenarios/inflow_seasonal_stats.parquet`; includes pre-study stage ids. */
  inflow_stats: ByEntityStage<InflowSeasonalStats>;
  /** From `scenarios/inflow_ar_coefficients.parquet`; absent pairs have order 0. */
  inflow_ar: ByEntityStage<InflowArModel>;
  /** From `scenarios/load_seasonal_stats.parquet`; absent buses have no load. */
  load_stats: ByEntityStage<LoadSeasonalStats>;
  /** From `scenarios/load_factors.json`: factor per block index; absent = 1.0. */
  load_factors: ByEntityStage<number[]>;
  /** Highest AR order over all (hydro, stage) pairs. */
  max_ar_order: number;
}

export type InflowNonNegativityMethod =
  | "none"
  | "penalty"
  | "truncation"
  | "truncation_with_penalty";
export type SamplingScheme = "in_sample" | "out_of_sample" | "historical" | "external";

export type StoppingRule =
  | { type: "iteration_limit"; limit: number }
  | { type: "time_limit"; seconds: number }
  | { type: "bound_stalling"; iterations: number; tolerance: number }
  | {
    type: "simulation";
    replications: number;
    period: number;
    bound_window: number;
    distance_tol: number;
    bound_tol: number;
  };

export interface ScenarioSourceConfig {
  seed: number | null;
  inflow: SamplingScheme;
  load: SamplingScheme;
  ncs: SamplingScheme;
  historical_years: number[] | { from: number; to: number } | null;
}

/** `config.json` with the documented defaults applied. */
export interface CaseConfig {
  modeling: {
    inflow_non_negativity: { method: InflowNonNegativityMethod; penalty_cost: number };
  };
  training: {
    enabled: boolean;
    /** null = Cobre's default seed 42 applies. */
    tree_seed: number | null;
    forward_passes: number;
    stopping_rules: StoppingRule[];
    stopping_mode: "any" | "all";
    cut_formulation: "single" | "multi" | null;
    cut_selection_enabled: boolean;
    scenario_source: ScenarioSourceConfig;
  };
  simulation: {
    enabled: boolean;
    num_scenarios: number;
    policy_type: "outer" | "inner";
    /** Directory for simulation output as written in config.json (null = default layout). */
    output_path: string | null;
    /** Falls back to the training scenario source when absent. */
    scenario_source: ScenarioSourceConfig;
  };
  policy: {
    path: string;
    mode: "fresh" | "warm_start" | "resume";
    validate_compatibility: boolean;
  };
  exports: {
    training: boolean;
    cuts: boolean;
    states: boolean;
    vertices: boolean;
    simulation: boolean;
    forward_detail: boolean;
    backward_detail: boolean;
    compression: "zstd" | "lz4" | "none" | null;
    stochastic: boolean;
  };
  /** The parsed config.json object as written (for introspection). */
  raw: Record<string, unknown>;
}

/** A fully loaded, validated Cobre case. */
export interface CaseModel {
  config: CaseConfig;
  stages: Stage[];
  pre_study_stages: PreStudyStage[];
  policy_graph: PolicyGraph;
  season_definitions: SeasonDefinitions | null;
  penalties: GlobalPenalties;
  buses: Bus[];
  lines: Line[];
  hydros: Hydro[];
  thermals: Thermal[];
  initial_conditions: InitialConditions;
  scenarios: ScenarioData;
  /** Recognised Cobre input files found, relative to the case directory, sorted. */
  files_present: string[];
}
