/**
 * PAR(p) inflow model, precomputed per (stage, hydro) in original units
 * (`par-inflow-model.md`; conventions of Cobre's `PrecomputedPar`):
 *
 *   a_t = base_t + sum_l psi_{t,l} * a_{t-l} + sigma_t * eta_t
 *   psi_{t,l} = psi*_{t,l} * s_t / s_{t-l}            (standardised -> original units)
 *   base_t    = mu_t - sum_l psi_{t,l} * mu_{t-l}
 *   sigma_t   = s_t * residual_std_ratio_t
 *
 * Statistics of a lag stage `t - l` are looked up by exact stage id first (pre-study stages have
 * negative ids), then by season (stage id mapped onto the study's season cycle).
 *
 * @module
 */
import type { CaseModel } from "../case_types.ts";

/** Flat PAR arrays: `[t * nHydros + h]`, and `psi[(t * nHydros + h) * maxOrder + l]` (l 0-based). */
export interface ParModel {
  nStages: number;
  nHydros: number;
  /** Uniform lag count of the LP (the system-wide maximum AR order). */
  maxOrder: number;
  base: Float64Array;
  sigma: Float64Array;
  psi: Float64Array;
}

interface Stats {
  mean_m3s: number;
  std_m3s: number;
}

const NO_STATS: Stats = { mean_m3s: 0, std_m3s: 0 };

/** Maps a stage id onto the season cycle, so pre-study ids reach the right season. */
function seasonOf(stageId: number, nSeasons: number, offset: number): number {
  return (((stageId + offset) % nSeasons) + nSeasons) % nSeasons;
}

/** Precomputes the PAR(p) model of every study stage and hydro. */
export function buildParModel(model: CaseModel): ParModel {
  const { stages, hydros, scenarios } = model;
  const nStages = stages.length;
  const nHydros = hydros.length;
  const maxOrder = scenarios.max_ar_order;
  const base = new Float64Array(nStages * nHydros);
  const sigma = new Float64Array(nStages * nHydros);
  const psi = new Float64Array(nStages * nHydros * maxOrder);

  const seasonIds = stages.map((s) => s.season_id).filter((s): s is number => s !== null);
  const nSeasons = new Set(seasonIds).size;
  const seasonOffset = seasonIds[0] ?? 0;

  hydros.forEach((hydro, h) => {
    const byStage = scenarios.inflow_stats.get(hydro.id) ?? new Map<number, Stats>();
    const bySeason = new Map<number, Stats>();
    for (const stage of stages) {
      const stats = byStage.get(stage.id);
      if (stage.season_id !== null && stats !== undefined) bySeason.set(stage.season_id, stats);
    }
    const lagStats = (stageId: number): Stats => {
      const exact = byStage.get(stageId);
      if (exact !== undefined) return exact;
      if (nSeasons === 0) return NO_STATS;
      return bySeason.get(seasonOf(stageId, nSeasons, seasonOffset)) ?? NO_STATS;
    };
    stages.forEach((stage, t) => {
      const own = byStage.get(stage.id);
      if (own === undefined) return; // no statistics: deterministic zero inflow
      const ar = scenarios.inflow_ar.get(hydro.id)?.get(stage.id);
      const coefficients = ar?.coefficients ?? [];
      sigma[t * nHydros + h] = own.std_m3s * (ar?.residual_std_ratio ?? 1);
      let b = own.mean_m3s;
      for (let l = 0; l < maxOrder; l++) {
        const lag = lagStats(stage.id - (l + 1));
        const standardised = coefficients[l] ?? 0;
        // A zero-std lag stage gives no usable ratio; Cobre drops the term rather than divide.
        const value = standardised === 0 || lag.std_m3s === 0
          ? 0
          : standardised * own.std_m3s / lag.std_m3s;
        psi[(t * nHydros + h) * maxOrder + l] = value;
        b -= value * lag.mean_m3s;
      }
      base[t * nHydros + h] = b;
    });
  });
  return { nStages, nHydros, maxOrder, base, sigma, psi };
}

/**
 * Inflow of hydro `h` at stage `t` (m3/s) given the lag state (`lags[l * nHydros + h]` is lag
 * `l + 1`) and the innovation `eta`.
 */
export function parInflow(
  par: ParModel,
  t: number,
  h: number,
  lags: ArrayLike<number>,
  eta: number,
): number {
  const i = t * par.nHydros + h;
  let value = par.base[i]!;
  for (let l = 0; l < par.maxOrder; l++) {
    value += par.psi[i * par.maxOrder + l]! * lags[l * par.nHydros + h]!;
  }
  return value + par.sigma[i]! * eta;
}
