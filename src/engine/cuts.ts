/**
 * Benders cuts (`cut-management.md`), single-cut formulation: for stage t-1,
 * `theta >= alpha + beta' x` where x is the state leaving stage t-1 (storage, then inflow lags
 * lag-major). Values are kept in the LP's scaled cost units ($ / COST_SCALE).
 *
 * @module
 */
import type { LpRows } from "./lp/mod.ts";
import type { StageLayout } from "./stage_lp.ts";

/** One cut, as stored in the pool and shipped to solver Workers. */
export interface Cut {
  id: number;
  iteration: number;
  forwardPass: number;
  /** Scaled intercept alpha (already `E[obj] - beta' x_hat`). */
  intercept: number;
  /** Scaled coefficients beta, one per state dimension. */
  coefficients: Float64Array;
}

/** Coefficients this small are dropped from cut rows (they only add fill to the LP). */
const TINY = 1e-12;

/**
 * LP column that holds state dimension `d` as the stage *leaves* it: storage is the outgoing
 * storage column; lag 1 of the next stage is this stage's realised inflow `z`; lag `l + 1` is this
 * stage's incoming lag `l`.
 */
export function outgoingStateColumn(layout: StageLayout, d: number): number {
  const n = layout.nHydros;
  if (d < n) return layout.colStorageOut + d;
  const lagIndex = d - n;
  const l = Math.floor(lagIndex / n);
  const h = lagIndex % n;
  return l === 0 ? layout.colInflow + h : layout.colLag + (l - 1) * n + h;
}

/** Cut rows `theta - beta' x >= alpha` for a stage's LP. */
export function cutRows(layout: StageLayout, cuts: readonly Cut[]): LpRows {
  const lower = new Float64Array(cuts.length);
  const upper = new Float64Array(cuts.length).fill(Infinity);
  const rowStarts = new Int32Array(cuts.length + 1);
  const cols: number[] = [];
  const values: number[] = [];
  cuts.forEach((cut, r) => {
    lower[r] = cut.intercept;
    const entries: [number, number][] = [[layout.colTheta, 1]];
    cut.coefficients.forEach((beta, d) => {
      if (Math.abs(beta) > TINY) entries.push([outgoingStateColumn(layout, d), -beta]);
    });
    entries.sort((a, b) => a[0] - b[0]);
    for (const [col, value] of entries) {
      cols.push(col);
      values.push(value);
    }
    rowStarts[r + 1] = cols.length;
  });
  return {
    lower,
    upper,
    rowStarts,
    colIndex: Int32Array.from(cols),
    values: Float64Array.from(values),
  };
}

/** Averages opening results into one cut: beta = mean(pi), alpha = mean(obj - pi' x_hat). */
export function aggregateCut(
  objectives: readonly number[],
  duals: readonly Float64Array[],
  trialState: Float64Array,
): { intercept: number; coefficients: Float64Array } {
  const n = objectives.length;
  const coefficients = new Float64Array(trialState.length);
  let intercept = 0;
  // Summation in opening order keeps the cut bit-identical however the solves were scheduled.
  for (let o = 0; o < n; o++) {
    const pi = duals[o]!;
    let value = objectives[o]!;
    for (let d = 0; d < pi.length; d++) {
      coefficients[d]! += pi[d]! / n;
      value -= pi[d]! * trialState[d]!;
    }
    intercept += value / n;
  }
  return { intercept, coefficients };
}
