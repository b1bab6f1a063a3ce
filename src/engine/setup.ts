/**
 * Everything a run needs, derived once from the case: stage LP templates, PAR model, opening
 * tree, load noise parameters, discount factors and the initial state. Plain data, so it is
 * cloned into solver Workers unchanged.
 *
 * @module
 */
import type { CaseModel } from "./case_types.ts";
import { buildParModel, generateOpeningTree } from "./scenarios/mod.ts";
import type { OpeningTree, ParModel } from "./scenarios/mod.ts";
import { buildStageTemplate, checkSupported } from "./stage_lp.ts";
import type { InflowMethod, StageTemplate } from "./stage_lp.ts";
import type { StoppingConfig } from "./stopping.ts";

/** Entity data the result extraction needs (ids, buses, cascade). */
export interface OutputInfo {
  hydroIds: number[];
  /** Index of each hydro's downstream hydro, or -1 (tailwater). */
  hydroDownstream: number[];
  /** Index of each hydro's diversion target, or -1. */
  hydroDiversionTarget: number[];
  thermalIds: number[];
  lineIds: number[];
  lineLossFraction: number[];
  busIds: number[];
  /** Per bus: number of deficit segments. */
  busDeficitSegments: number[];
  /** True when a hydro's productivity changes between stages (output reports it then). */
  hydroStageVaryingProductivity: boolean[];
  /** `[entity][stage]`: whether each thermal / line operates at the stage. */
  thermalOperating: boolean[][];
  lineOperating: boolean[][];
}

/** The prepared study. */
export interface EngineSetup {
  stages: StageTemplate[];
  par: ParModel;
  tree: OpeningTree;
  inflowMethod: InflowMethod;
  nHydros: number;
  nLags: number;
  /** `nHydros * (1 + nLags)`: storage first, then lags lag-major. */
  stateDim: number;
  /** Bus indices with stochastic load (std > 0 at some stage), sorted by bus id. */
  loadBuses: number[];
  /** Per stage and stochastic bus (`t * loadBuses.length + i`): mean and std in MW. */
  loadMean: Float64Array;
  loadStd: Float64Array;
  /** Per stage, per bus and block: block factor multiplying the load realisation. */
  loadFactor: Float64Array[];
  /** One-step discount factor of each stage (applied to its theta). */
  discount: number[];
  /** Cumulative discount from stage 0 to each stage. */
  cumulativeDiscount: number[];
  initialState: Float64Array;
  seed: number;
  forwardPasses: number;
  trainingEnabled: boolean;
  /** Keep every visited forward state for the policy output (`exports.states`). */
  keepVisitedStates: boolean;
  stopping: StoppingConfig;
  simulation: { enabled: boolean; scenarios: number };
  output: OutputInfo;
}

const DEFAULT_SEED = 42;
const DAY_MS = 86_400_000;

/** Days between two ISO dates (`end` exclusive). */
function daysBetween(start: string, end: string): number {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS);
}

/** One-step discount factors `1 / (1 + r)^(days / 365.25)` per stage (`discount-rate.md`). */
function discountFactors(model: CaseModel): number[] {
  return model.stages.map((stage) => {
    const override = model.policy_graph.transitions.find((tr) => tr.source_id === stage.id)
      ?.annual_discount_rate_override;
    const rate = override ?? model.policy_graph.annual_discount_rate;
    if (rate === 0) return 1;
    return 1 / Math.pow(1 + rate, daysBetween(stage.start_date, stage.end_date) / 365.25);
  });
}

function initialState(model: CaseModel, nLags: number): Float64Array {
  const n = model.hydros.length;
  const state = new Float64Array(n * (1 + nLags));
  const storage = model.initial_conditions.storage_hm3;
  const filling = model.initial_conditions.filling_storage_hm3;
  model.hydros.forEach((hydro, h) => {
    state[h] = storage.get(hydro.id) ?? filling.get(hydro.id) ?? 0;
  });
  const index = new Map(model.hydros.map((h, i) => [h.id, i]));
  for (const past of model.initial_conditions.past_inflows) {
    const h = index.get(past.hydro_id);
    if (h === undefined) continue;
    past.values_m3s.slice(0, nLags).forEach((value, l) => {
      state[n + l * n + h] = value;
    });
  }
  return state;
}

/** The seed that drives the tree: `training.tree_seed`, else the scenario source seed, else 42. */
export function resolveSeed(model: CaseModel): number {
  const seed = model.config.training.tree_seed ?? model.config.training.scenario_source.seed ??
    DEFAULT_SEED;
  return Math.abs(Math.trunc(seed));
}

/** Prepares a case for training and simulation; throws a CobreError for unsupported features. */
export function prepareSetup(model: CaseModel): EngineSetup {
  checkSupported(model);
  const par = buildParModel(model);
  const inflowMethod = model.config.modeling.inflow_non_negativity.method;
  const discount = discountFactors(model);
  const cumulativeDiscount = discount.map((_, t) =>
    discount.slice(0, t).reduce((product, d) => product * d, 1)
  );
  const stages = model.stages.map((_, t) =>
    buildStageTemplate(model, t, par, inflowMethod, discount[t]!)
  );

  const loadBuses = model.buses
    .map((bus, b) => ({ bus, b }))
    .filter(({ bus }) =>
      model.stages.some((s) => (model.scenarios.load_stats.get(bus.id)?.get(s.id)?.std_mw ?? 0) > 0)
    )
    .map(({ b }) => b);
  const m = loadBuses.length;
  const loadMean = new Float64Array(model.stages.length * m);
  const loadStd = new Float64Array(model.stages.length * m);
  model.stages.forEach((stage, t) => {
    loadBuses.forEach((b, i) => {
      const stats = model.scenarios.load_stats.get(model.buses[b]!.id)?.get(stage.id);
      loadMean[t * m + i] = stats?.mean_mw ?? 0;
      loadStd[t * m + i] = stats?.std_mw ?? 0;
    });
  });
  const loadFactor = model.stages.map((stage) => {
    const k = stage.blocks.length;
    const factors = new Float64Array(model.buses.length * k);
    model.buses.forEach((bus, b) => {
      const given = model.scenarios.load_factors.get(bus.id)?.get(stage.id);
      for (let j = 0; j < k; j++) factors[b * k + j] = given?.[j] ?? 1;
    });
    return factors;
  });

  const seed = resolveSeed(model);
  const nHydros = model.hydros.length;
  const tree = generateOpeningTree(
    seed,
    model.stages.map((s) => s.num_scenarios),
    nHydros + m,
  );
  const operating = (entry: number | null, exit: number | null) =>
    model.stages.map((s) => (entry === null || s.id >= entry) && (exit === null || s.id < exit));

  return {
    stages,
    par,
    tree,
    inflowMethod,
    nHydros,
    nLags: par.maxOrder,
    stateDim: nHydros * (1 + par.maxOrder),
    loadBuses,
    loadMean,
    loadStd,
    loadFactor,
    discount,
    cumulativeDiscount,
    initialState: initialState(model, par.maxOrder),
    seed,
    forwardPasses: model.config.training.forward_passes,
    trainingEnabled: model.config.training.enabled,
    keepVisitedStates: model.config.exports.states,
    stopping: {
      rules: model.config.training.stopping_rules,
      mode: model.config.training.stopping_mode,
    },
    simulation: {
      enabled: model.config.simulation.enabled,
      scenarios: model.config.simulation.num_scenarios,
    },
    output: {
      hydroIds: model.hydros.map((h) => h.id),
      hydroDownstream: model.hydros.map((h) =>
        h.downstream_id === null ? -1 : model.hydros.findIndex((d) => d.id === h.downstream_id)
      ),
      hydroDiversionTarget: model.hydros.map((h) =>
        h.diversion === null
          ? -1
          : model.hydros.findIndex((d) => d.id === h.diversion?.downstream_id)
      ),
      thermalIds: model.thermals.map((t) => t.id),
      lineIds: model.lines.map((l) => l.id),
      lineLossFraction: model.lines.map((l) => l.losses_percent / 100),
      busIds: model.buses.map((b) => b.id),
      busDeficitSegments: model.buses.map((b) => b.deficit_segments.length),
      hydroStageVaryingProductivity: model.hydros.map((h) =>
        h.stage_productivity_mw_per_m3s.some((p) => p !== h.stage_productivity_mw_per_m3s[0])
      ),
      thermalOperating: model.thermals.map((t) => operating(t.entry_stage_id, t.exit_stage_id)),
      lineOperating: model.lines.map((l) => operating(l.entry_stage_id, l.exit_stage_id)),
    },
  };
}
