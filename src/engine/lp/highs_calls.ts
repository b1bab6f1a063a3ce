/**
 * The HiGHS call sequences both solvers of this folder make: create a configured model, pass a
 * whole LP, run it and count the work, copy the solution out. The persistent solver makes them
 * once per model or per solve, the rebuilding one on every solve; sharing them keeps the two
 * comparable call for call.
 *
 * @module
 */
import type { HighsNative } from "./highs_native.ts";
import { HIGHS_ERROR, sizeOf } from "./highs_native.ts";
import type { LpSolverStats, LpStatus } from "./contract.ts";
import { RESOLVE_OPTIONS, SERIAL_OPTIONS } from "./options.ts";
import { toLpStatus } from "./status.ts";

/** Matrix format codes of `Highs_passLp`. */
export const MATRIX_FORMAT = { columnWise: 1, rowWise: 2 } as const;
const MINIMIZE = 1;

/** Throws for a call HiGHS rejected: the model or its data is broken, not an LP outcome. */
export function check(status: number, call: string): void {
  if (status === HIGHS_ERROR) throw new Error(`HiGHS rejected ${call}`);
}

/** A new HiGHS model with the options every engine model runs with. */
export function createHighs(native: HighsNative): number {
  const highs = native.api._Highs_create();
  if (highs === 0) throw new Error("HiGHS could not create a model");
  try {
    native.setOptions(highs, SERIAL_OPTIONS);
    native.setOptions(highs, RESOLVE_OPTIONS);
  } catch (error) {
    native.api._Highs_destroy(highs);
    throw error;
  }
  return highs;
}

/**
 * The arrays of `Highs_passLp` in its order: column cost, lower, upper, row lower, upper, matrix
 * starts (without the final end marker), indices, values.
 */
export type LpArrays = readonly [
  Float64Array,
  Float64Array,
  Float64Array,
  Float64Array,
  Float64Array,
  Int32Array,
  Int32Array,
  Float64Array,
];

/** Loads a whole minimisation LP into a HiGHS model. */
export function passLp(
  native: HighsNative,
  highs: number,
  format: number,
  numCols: number,
  numRows: number,
  arrays: LpArrays,
): void {
  native.begin(sizeOf(...arrays));
  const [cost, colLower, colUpper, rowLower, rowUpper, starts, index, values] = arrays.map((a) =>
    native.put(a)
  ) as [number, number, number, number, number, number, number, number];
  check(
    native.api._Highs_passLp(
      highs,
      numCols,
      numRows,
      arrays[7].length,
      format,
      MINIMIZE,
      0,
      cost,
      colLower,
      colUpper,
      rowLower,
      rowUpper,
      starts,
      index,
      values,
    ),
    "passLp",
  );
}

/** Runs HiGHS on its current model, adding the time and pivots to `stats`. */
export function runHighs(native: HighsNative, highs: number, stats: LpSolverStats): LpStatus {
  const api = native.api;
  const start = performance.now();
  const runStatus = api._Highs_run(highs);
  stats.solveMs += performance.now() - start;
  stats.simplexIterations += native.intInfo(highs, "simplex_iteration_count");
  return runStatus === HIGHS_ERROR ? "error" : toLpStatus(api._Highs_getModelStatus(highs));
}

/** Column values and row duals of a solve, reused from one solve to the next. */
export interface Solution {
  colValue: Float64Array;
  rowDual: Float64Array;
}

/** Copies the column values and row duals of the last run into `into` (resized if needed). */
export function readSolution(
  native: HighsNative,
  highs: number,
  numCols: number,
  numRows: number,
  into: Solution,
): void {
  if (into.colValue.length !== numCols) into.colValue = new Float64Array(numCols);
  if (into.rowDual.length !== numRows) into.rowDual = new Float64Array(numRows);
  native.begin((numCols + numRows) * 8);
  const colAt = native.take(numCols * 8);
  const rowAt = native.take(numRows * 8);
  check(native.api._Highs_getSolution(highs, colAt, 0, 0, rowAt), "getSolution");
  into.colValue.set(native.f64(colAt, numCols));
  into.rowDual.set(native.f64(rowAt, numRows));
}
