/**
 * The LP solver contract. This folder knows nothing of SDDP or Cobre: it solves
 * `min c'x  s.t.  rowLower <= Ax <= rowUpper,  colLower <= x <= colUpper` repeatedly.
 *
 * ## What persists between solves
 *
 * - The model handed to `load()` persists until the next `load()`. Rows appended with `addRows()`
 *   or removed with `deleteRows()` and bound changes made with `setColBounds()` /
 *   `setRowBounds()` persist too: nothing is reset implicitly, so a caller that patches a bound
 *   must patch it back (or overwrite it) itself.
 * - The simplex basis of the last successful solve is kept and used to warm-start the next one.
 *   Appended rows enter the basis with their slack basic, so a warm start stays valid.
 * - `load()` discards the basis. `setBasis()` installs one the caller saved with `getBasis()`;
 *   it must have been taken from a model with the same columns and number of rows.
 *   `resetBasis()` discards solver state so the next solve starts cold. Installing a basis (or
 *   resetting) right before a solve makes its result depend only on the model, the bounds and
 *   that basis, not on earlier solves: this is what lets work move between Workers and still
 *   give bit-identical results.
 *
 * ## What the caller must do on failure
 *
 * `solve()` never throws for an optimisation outcome. When HiGHS does not prove optimality the
 * solver first retries once from a cold start (basis discarded, presolve on); if that also fails
 * it returns the non-optimal `status` and leaves the solver with no basis, so the next solve
 * starts cold. The caller must then not read `primal()` / `rowDuals()` (they would be stale):
 * it reports the failure (for the engine: a `SolverFailure` record) or changes the model.
 * A JavaScript exception from `solve()` means a broken model (bad dimensions, NaN), not an
 * optimisation outcome.
 *
 * @module
 */

/** A structural LP in compressed sparse column form. Arrays are read, never retained mutably. */
export interface LpModel {
  numCols: number;
  numRows: number;
  colCost: Float64Array;
  colLower: Float64Array;
  colUpper: Float64Array;
  rowLower: Float64Array;
  rowUpper: Float64Array;
  /** CSC column starts, length `numCols + 1`. */
  colStarts: Int32Array;
  /** CSC row index of every nonzero. */
  rowIndex: Int32Array;
  values: Float64Array;
}

/** Rows to append, in compressed sparse row form over the model's columns. */
export interface LpRows {
  lower: Float64Array;
  upper: Float64Array;
  /** CSR row starts, length `lower.length + 1`. */
  rowStarts: Int32Array;
  colIndex: Int32Array;
  values: Float64Array;
}

/** Outcome of one solve. Only `optimal` means primal and duals may be read. */
export type LpStatus =
  | "optimal"
  | "infeasible"
  | "unbounded"
  | "unbounded_or_infeasible"
  | "time_limit"
  | "iteration_limit"
  | "error";

/** A simplex basis as HiGHS reports it (status codes per column and per row). */
export interface LpBasis {
  colStatus: Int32Array;
  rowStatus: Int32Array;
}

/** Counters a solver keeps for benchmarks and the solver statistics outputs. */
export interface LpSolverStats {
  solves: number;
  /** Milliseconds spent inside the HiGHS `run()` calls (retries included). */
  solveMs: number;
  simplexIterations: number;
  /** Solves that needed the cold retry. */
  retries: number;
  /** Solves that still failed after the retry. */
  failures: number;
}

/** Counters of a solver that has not solved anything yet. */
export function zeroSolverStats(): LpSolverStats {
  return { solves: 0, solveMs: 0, simplexIterations: 0, retries: 0, failures: 0 };
}

/** A re-solvable LP. See the module documentation for the contract. */
export interface LpSolver {
  /** Replaces the model (and discards any basis and appended rows). */
  load(model: LpModel): void;
  /** Number of rows currently in the model, appended rows included. */
  readonly numRows: number;
  readonly numCols: number;
  setColBounds(indices: Int32Array, lower: Float64Array, upper: Float64Array): void;
  setRowBounds(indices: Int32Array, lower: Float64Array, upper: Float64Array): void;
  /** Sets the bounds of rows `first .. first + lower.length - 1` (no index array to copy). */
  setRowRangeBounds(first: number, lower: Float64Array, upper: Float64Array): void;
  /** Appends rows at the end; their indices are `numRows` (before the call) onwards. */
  addRows(rows: LpRows): void;
  /**
   * Deletes rows (strictly increasing indices); later rows move up. The basis of the remaining
   * rows is kept, so the next solve still starts warm (after a refactorisation).
   */
  deleteRows(rows: Int32Array): void;
  /** Solves; on a non-optimal status see the failure contract in the module docs. */
  solve(): LpStatus;
  /** Objective value of the last optimal solve. */
  objective(): number;
  /**
   * Column values of the last optimal solve. The array may be reused: it is valid until the next
   * `solve()` or model change, so copy what must outlive that.
   */
  primal(): Float64Array;
  /** Row duals of the last optimal solve (d objective / d row bound); same lifetime as `primal`. */
  rowDuals(): Float64Array;
  getBasis(): LpBasis | null;
  setBasis(basis: LpBasis): void;
  /** Discards the basis and solver state: the next solve starts from the logical basis. */
  resetBasis(): void;
  readonly stats: LpSolverStats;
  /** Releases the native model; the solver must not be used afterwards. */
  dispose(): void;
}

/** Builds empty CSR rows ready to append to. */
export function emptyRows(): LpRows {
  return {
    lower: new Float64Array(0),
    upper: new Float64Array(0),
    rowStarts: new Int32Array([0]),
    colIndex: new Int32Array(0),
    values: new Float64Array(0),
  };
}
