/**
 * Turns a parsed, error-free case into the `CaseModel`: applies the penalty cascade
 * (global → entity → stage), the sparse stage overrides of `constraints/*.parquet`, the production
 * model choice per stage, and indexes scenario statistics by (entity, stage).
 *
 * @module
 */
import type {
  Bus,
  ByEntityStage,
  CaseModel,
  GlobalPenalties,
  Hydro,
  HydroBounds,
  HydroGenerationModel,
  HydroPenalties,
  InflowArModel,
  InflowSeasonalStats,
  Line,
  LoadSeasonalStats,
  Stage,
  Thermal,
} from "./model.ts";
import type { ParsedCase } from "./parse_case.ts";
import type { ProductionModelEntry } from "./parse_initial.ts";
import type { RawHydro } from "./parse_system.ts";
import type { TableRow } from "./parse_tables.ts";
import { HYDRO_BASE_PENALTY_FIELDS } from "./model.ts";

/** Rows of a keyed table by entity id then stage id (absent or broken tables give an empty map). */
function indexRows(parsed: ParsedCase, file: string): ByEntityStage<TableRow> {
  const out: ByEntityStage<TableRow> = new Map();
  const rows = parsed.tables.get(file);
  if (!Array.isArray(rows)) return out;
  for (const row of rows) {
    let byStage = out.get(row.entity_id);
    if (!byStage) out.set(row.entity_id, byStage = new Map());
    byStage.set(row.stage_id, row);
  }
  return out;
}

function override(
  index: ByEntityStage<TableRow>,
  entityId: number,
  stageId: number,
  column: string,
): number | null {
  return index.get(entityId)?.get(stageId)?.values[column] ?? null;
}

function entityPenalties(global: HydroPenalties, hydro: RawHydro): HydroPenalties {
  const o = hydro.penalty_overrides;
  return {
    ...global,
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
  } as HydroPenalties;
}

function productionRule(
  entry: ProductionModelEntry | undefined,
  stage: Stage,
): { model: HydroGenerationModel; productivity: number | null } | null {
  if (!entry) return null;
  if (entry.selection_mode === "stage_ranges") {
    const rule = entry.rules.find((r) =>
      (r.start_stage_id ?? 0) <= stage.id && (r.end_stage_id ?? Infinity) >= stage.id
    );
    return rule ? { model: rule.model, productivity: rule.productivity_override } : null;
  }
  const rule = entry.rules.find((r) => r.season_id === stage.season_id);
  if (rule) return { model: rule.model, productivity: rule.productivity_override };
  return entry.default_model ? { model: entry.default_model, productivity: null } : null;
}

function buildHydros(parsed: ParsedCase, stages: Stage[], penalties: GlobalPenalties): Hydro[] {
  const bounds = indexRows(parsed, "constraints/hydro_bounds.parquet");
  const stagePenalties = indexRows(parsed, "constraints/penalty_overrides_hydro.parquet");
  const models = new Map(
    Array.isArray(parsed.production_models)
      ? parsed.production_models.map((e) => [e.hydro_id, e] as const)
      : [],
  );
  return (parsed.hydros?.items ?? []).map((raw, index) => {
    const entity = entityPenalties(penalties.hydro, raw);
    const stageBounds = stages.map((stage): HydroBounds => {
      const b = { ...raw.bounds };
      for (const key of Object.keys(b) as (keyof HydroBounds)[]) {
        const v = override(bounds, raw.id, stage.id, key);
        if (v !== null) b[key] = v;
      }
      return b;
    });
    const stagePen = stages.map((stage): HydroPenalties => {
      const p = { ...entity };
      for (const key of HYDRO_BASE_PENALTY_FIELDS) {
        const v = override(stagePenalties, raw.id, stage.id, key);
        if (v !== null) p[key] = v;
      }
      return p;
    });
    const rules = stages.map((stage) => productionRule(models.get(raw.id), stage));
    return {
      index,
      id: raw.id,
      name: raw.name,
      bus_id: raw.bus_id,
      downstream_id: raw.downstream_id,
      entry_stage_id: raw.entry_stage_id,
      exit_stage_id: raw.exit_stage_id,
      generation_model: raw.generation_model,
      productivity_mw_per_m3s: raw.productivity_mw_per_m3s,
      bounds: { ...raw.bounds },
      diversion: raw.diversion,
      filling: raw.filling,
      has_evaporation: raw.has_evaporation,
      stage_bounds: stageBounds,
      stage_penalties: stagePen,
      stage_productivity_mw_per_m3s: rules.map((r) =>
        r?.productivity ?? raw.productivity_mw_per_m3s ?? 0
      ),
      stage_generation_model: rules.map((r) => r?.model ?? raw.generation_model),
    };
  });
}

function buildThermals(parsed: ParsedCase, stages: Stage[]): Thermal[] {
  const bounds = indexRows(parsed, "constraints/thermal_bounds.parquet");
  return (parsed.thermals?.items ?? []).map((raw, index) => ({
    index,
    ...raw,
    stage_bounds: stages.map((stage) => ({
      min_generation_mw: override(bounds, raw.id, stage.id, "min_generation_mw") ??
        raw.min_generation_mw,
      max_generation_mw: override(bounds, raw.id, stage.id, "max_generation_mw") ??
        raw.max_generation_mw,
      cost_per_mwh: override(bounds, raw.id, stage.id, "cost_per_mwh") ?? raw.cost_per_mwh,
    })),
  }));
}

function buildLines(parsed: ParsedCase, stages: Stage[], penalties: GlobalPenalties): Line[] {
  const bounds = indexRows(parsed, "constraints/line_bounds.parquet");
  const costs = indexRows(parsed, "constraints/penalty_overrides_line.parquet");
  return (parsed.lines?.items ?? []).map((raw, index) => ({
    index,
    id: raw.id,
    name: raw.name,
    source_bus_id: raw.source_bus_id,
    target_bus_id: raw.target_bus_id,
    entry_stage_id: raw.entry_stage_id,
    exit_stage_id: raw.exit_stage_id,
    capacity: { ...raw.capacity },
    losses_percent: raw.losses_percent,
    stage_capacity: stages.map((stage) => ({
      direct_mw: override(bounds, raw.id, stage.id, "direct_mw") ?? raw.capacity.direct_mw,
      reverse_mw: override(bounds, raw.id, stage.id, "reverse_mw") ?? raw.capacity.reverse_mw,
    })),
    stage_exchange_cost: stages.map((stage) =>
      override(costs, raw.id, stage.id, "exchange_cost") ?? raw.exchange_cost ??
        penalties.line_exchange_cost
    ),
  }));
}

function buildBuses(parsed: ParsedCase, stages: Stage[], penalties: GlobalPenalties): Bus[] {
  const costs = indexRows(parsed, "constraints/penalty_overrides_bus.parquet");
  return (parsed.buses?.items ?? []).map((raw, index) => ({
    index,
    id: raw.id,
    name: raw.name,
    deficit_segments: (raw.deficit_segments ?? penalties.bus_deficit_segments).map((s) => ({
      ...s,
    })),
    stage_excess_cost: stages.map((stage) =>
      override(costs, raw.id, stage.id, "excess_cost") ?? penalties.bus_excess_cost
    ),
  }));
}

function mapTable<T>(
  parsed: ParsedCase,
  file: string,
  convert: (row: TableRow) => T,
): ByEntityStage<T> {
  const out: ByEntityStage<T> = new Map();
  for (const [entity, byStage] of indexRows(parsed, file)) {
    out.set(entity, new Map([...byStage].map(([stage, row]) => [stage, convert(row)])));
  }
  return out;
}

function buildScenarios(parsed: ParsedCase): CaseModel["scenarios"] {
  const inflow_stats = mapTable<InflowSeasonalStats>(
    parsed,
    "scenarios/inflow_seasonal_stats.parquet",
    (r) => ({ mean_m3s: r.values.mean_m3s ?? 0, std_m3s: r.values.std_m3s ?? 0 }),
  );
  const load_stats = mapTable<LoadSeasonalStats>(
    parsed,
    "scenarios/load_seasonal_stats.parquet",
    (r) => ({ mean_mw: r.values.mean_mw ?? 0, std_mw: r.values.std_mw ?? 0 }),
  );
  const inflow_ar: ByEntityStage<InflowArModel> = new Map();
  let maxOrder = 0;
  const arRows = parsed.tables.get("scenarios/inflow_ar_coefficients.parquet");
  for (const row of Array.isArray(arRows) ? arRows : []) {
    const lag = row.keys[2] ?? 1;
    let byStage = inflow_ar.get(row.entity_id);
    if (!byStage) inflow_ar.set(row.entity_id, byStage = new Map());
    let model = byStage.get(row.stage_id);
    if (!model) {
      byStage.set(row.stage_id, model = { coefficients: [], residual_std_ratio: 1 });
    }
    model.coefficients[lag - 1] = row.values.coefficient ?? 0;
    model.residual_std_ratio = row.values.residual_std_ratio ?? 1;
    maxOrder = Math.max(maxOrder, lag);
  }
  const load_factors: ByEntityStage<number[]> = new Map();
  const stageBlocks = new Map((parsed.stages?.stages ?? []).map((s) => [s.id, s.blocks.length]));
  for (const entry of Array.isArray(parsed.load_factors) ? parsed.load_factors : []) {
    const blocks = stageBlocks.get(entry.stage_id) ?? 0;
    const factors = Array.from({ length: blocks }, (_, b) => entry.block_factors.get(b) ?? 1);
    let byStage = load_factors.get(entry.bus_id);
    if (!byStage) load_factors.set(entry.bus_id, byStage = new Map());
    byStage.set(entry.stage_id, factors);
  }
  return { inflow_stats, inflow_ar, load_stats, load_factors, max_ar_order: maxOrder };
}

/** Builds the model; callers must only pass a case whose validation found no errors. */
export function buildModel(parsed: ParsedCase): CaseModel {
  const { config, stages, penalties, initial_conditions } = parsed;
  if (!config || !stages || !penalties || !initial_conditions) {
    throw new Error("buildModel called on a case that failed validation");
  }
  const list = stages.stages;
  return {
    config,
    stages: list,
    pre_study_stages: stages.pre_study_stages,
    policy_graph: stages.policy_graph,
    season_definitions: stages.season_definitions,
    penalties,
    buses: buildBuses(parsed, list, penalties),
    lines: buildLines(parsed, list, penalties),
    hydros: buildHydros(parsed, list, penalties),
    thermals: buildThermals(parsed, list),
    initial_conditions,
    scenarios: buildScenarios(parsed),
    files_present: parsed.files_present,
  };
}
