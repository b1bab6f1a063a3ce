/**
 * Accessors over `CaseModel` that apply the format's defaults for absent rows, so the engine
 * never has to remember them: no AR row means order 0, no load factor means 1.0, no load
 * statistics means no load, no initial storage means 0 hm³.
 *
 * @module
 */
import type { CaseModel, InflowArModel, InflowSeasonalStats, LoadSeasonalStats } from "./model.ts";

/** Inflow mean/std of a hydro at a stage id (pre-study ids are negative); null when absent. */
export function inflowStats(
  model: CaseModel,
  hydroId: number,
  stageId: number,
): InflowSeasonalStats | null {
  return model.scenarios.inflow_stats.get(hydroId)?.get(stageId) ?? null;
}

const NO_AR: InflowArModel = Object.freeze({
  coefficients: [],
  residual_std_ratio: 1,
}) as InflowArModel;

/** AR model of a hydro at a stage id; order 0 (no coefficients, ratio 1) when absent. */
export function inflowArModel(model: CaseModel, hydroId: number, stageId: number): InflowArModel {
  return model.scenarios.inflow_ar.get(hydroId)?.get(stageId) ?? NO_AR;
}

/** Load mean/std of a bus at a stage id; null when the bus has no load there. */
export function loadStats(
  model: CaseModel,
  busId: number,
  stageId: number,
): LoadSeasonalStats | null {
  return model.scenarios.load_stats.get(busId)?.get(stageId) ?? null;
}

/** Load multiplier of a bus at a stage id and block index; 1.0 when not given. */
export function loadFactor(
  model: CaseModel,
  busId: number,
  stageId: number,
  blockIndex: number,
): number {
  return model.scenarios.load_factors.get(busId)?.get(stageId)?.[blockIndex] ?? 1;
}

/** Initial storage of a hydro in hm³ (operating or filling list); 0 when not given, as in Cobre. */
export function initialStorage(model: CaseModel, hydroId: number): number {
  const ic = model.initial_conditions;
  return ic.storage_hm3.get(hydroId) ?? ic.filling_storage_hm3.get(hydroId) ?? 0;
}
