/**
 * `LpSolver` on one persistent HiGHS model: bounds are patched and cuts appended in place, and
 * the basis of the previous solve warm-starts the next.
 *
 * @module
 */
import type { HighsRuntime } from "./highs_runtime.ts";
import type { HighsNative } from "./highs_native.ts";
import { HIGHS_ERROR } from "./highs_native.ts";
import type { LpBasis, LpModel, LpRows, LpSolver, LpSolverStats, LpStatus } from "./contract.ts";
import { RESOLVE_OPTIONS, RETRY_OPTIONS, SERIAL_OPTIONS } from "./options.ts";
import { toLpStatus } from "./status.ts";

/** Column-wise matrix format code of `Highs_passLp`. */
const COLUMN_WISE = 1;
const MINIMIZE = 1;

/** Throws for a call HiGHS rejected: the model or its data is broken, not an LP outcome. */
export function check(status: number, call: string): void {
  if (status === HIGHS_ERROR) throw new Error(`HiGHS rejected ${call}`);
}

/** Loads a whole model into a HiGHS instance. */
export function passModel(native: HighsNative, highs: number, model: LpModel): void {
  // The C API takes column starts without the final end marker.
  const [cost, colLower, colUpper, rowLower, rowUpper, starts, index, value] = native.stage([
    model.colCost,
    model.colLower,
    model.colUpper,
    model.rowLower,
    model.rowUpper,
    model.colStarts.subarray(0, model.numCols),
    model.rowIndex,
    model.values,
  ]) as [number, number, number, number, number, number, number, number];
  check(
    native.api._Highs_passLp(
      highs,
      model.numCols,
      model.numRows,
      model.values.length,
      COLUMN_WISE,
      MINIMIZE,
      0,
      cost,
      colLower,
      colUpper,
      rowLower,
      rowUpper,
      starts,
      index,
      value,
    ),
    "passLp",
  );
}

/** A persistent HiGHS model behind the `LpSolver` contract. */
export class PersistentHighsSolver implements LpSolver {
  readonly stats: LpSolverStats = {
    solves: 0,
    solveMs: 0,
    simplexIterations: 0,
    retries: 0,
    failures: 0,
  };
  readonly #native: HighsNative;
  #highs: number;
  #numRows = 0;
  #numCols = 0;
  /** Solution of the last optimal solve, copied out of wasm memory on first read. */
  #colValue = new Float64Array(0);
  #rowDual = new Float64Array(0);
  #fetched = false;
  #objective = Number.NaN;

  constructor(runtime: HighsRuntime) {
    this.#native = runtime.native;
    this.#highs = runtime.native.api._Highs_create();
    if (this.#highs === 0) throw new Error("HiGHS could not create a model");
    this.#native.setOptions(this.#highs, SERIAL_OPTIONS);
    this.#native.setOptions(this.#highs, RESOLVE_OPTIONS);
  }

  get numRows(): number {
    return this.#numRows;
  }

  get numCols(): number {
    return this.#numCols;
  }

  load(model: LpModel): void {
    passModel(this.#native, this.#highs, model);
    this.#numRows = model.numRows;
    this.#numCols = model.numCols;
    this.#fetched = false;
  }

  setColBounds(indices: Int32Array, lower: Float64Array, upper: Float64Array): void {
    if (indices.length === 0) return;
    const [set, lo, up] = this.#native.stage([indices, lower, upper]) as [number, number, number];
    check(
      this.#native.api._Highs_changeColsBoundsBySet(this.#highs, indices.length, set, lo, up),
      "changeColsBoundsBySet",
    );
  }

  setRowBounds(indices: Int32Array, lower: Float64Array, upper: Float64Array): void {
    if (indices.length === 0) return;
    const [set, lo, up] = this.#native.stage([indices, lower, upper]) as [number, number, number];
    check(
      this.#native.api._Highs_changeRowsBoundsBySet(this.#highs, indices.length, set, lo, up),
      "changeRowsBoundsBySet",
    );
  }

  setRowRangeBounds(first: number, lower: Float64Array, upper: Float64Array): void {
    if (lower.length === 0) return;
    const [lo, up] = this.#native.stage([lower, upper]) as [number, number];
    const last = first + lower.length - 1;
    check(
      this.#native.api._Highs_changeRowsBoundsByRange(this.#highs, first, last, lo, up),
      "changeRowsBoundsByRange",
    );
  }

  addRows(rows: LpRows): void {
    const count = rows.lower.length;
    if (count === 0) return;
    const [lower, upper, starts, index, value] = this.#native.stage([
      rows.lower,
      rows.upper,
      rows.rowStarts.subarray(0, count),
      rows.colIndex,
      rows.values,
    ]) as [number, number, number, number, number];
    check(
      this.#native.api._Highs_addRows(
        this.#highs,
        count,
        lower,
        upper,
        rows.values.length,
        starts,
        index,
        value,
      ),
      "addRows",
    );
    this.#numRows += count;
    this.#fetched = false;
  }

  deleteRows(rows: Int32Array): void {
    if (rows.length === 0) return;
    const [set] = this.#native.stage([rows]) as [number];
    check(this.#native.api._Highs_deleteRowsBySet(this.#highs, rows.length, set), "deleteRows");
    this.#numRows -= rows.length;
    this.#fetched = false;
  }

  solve(): LpStatus {
    this.stats.solves++;
    this.#fetched = false;
    let status = this.#run();
    if (status !== "optimal") {
      // Cold retry: a stale or ill-conditioned warm basis is the usual cause of a spurious failure.
      this.stats.retries++;
      this.#native.api._Highs_clearSolver(this.#highs);
      this.#native.setOptions(this.#highs, RETRY_OPTIONS);
      status = this.#run();
      this.#native.setOptions(this.#highs, RESOLVE_OPTIONS);
      if (status !== "optimal") {
        this.stats.failures++;
        this.#native.api._Highs_clearSolver(this.#highs);
      }
    }
    this.#objective = status === "optimal"
      ? this.#native.api._Highs_getObjectiveValue(this.#highs)
      : Number.NaN;
    return status;
  }

  objective(): number {
    return this.#objective;
  }

  primal(): Float64Array {
    this.#fetch();
    return this.#colValue;
  }

  rowDuals(): Float64Array {
    this.#fetch();
    return this.#rowDual;
  }

  getBasis(): LpBasis | null {
    const native = this.#native;
    const cols = this.#numCols;
    const rows = this.#numRows;
    const [colAt] = native.stage([], (cols + rows) * 4).slice(-1) as [number];
    check(native.api._Highs_getBasis(this.#highs, colAt, colAt + cols * 4), "getBasis");
    return {
      colStatus: native.i32(colAt, cols).slice(),
      rowStatus: native.i32(colAt + cols * 4, rows).slice(),
    };
  }

  setBasis(basis: LpBasis): void {
    // Clearing first drops scaling and edge weights left by earlier solves: without it the next
    // solve differed in the last bits depending on this model's history.
    this.#native.api._Highs_clearSolver(this.#highs);
    const [col, row] = this.#native.stage([basis.colStatus, basis.rowStatus]) as [number, number];
    check(this.#native.api._Highs_setBasis(this.#highs, col, row), "setBasis");
  }

  resetBasis(): void {
    this.#native.api._Highs_clearSolver(this.#highs);
  }

  dispose(): void {
    if (this.#highs !== 0) this.#native.api._Highs_destroy(this.#highs);
    this.#highs = 0;
  }

  #run(): LpStatus {
    const api = this.#native.api;
    const start = performance.now();
    const runStatus = api._Highs_run(this.#highs);
    this.stats.solveMs += performance.now() - start;
    this.stats.simplexIterations += this.#native.intInfo(this.#highs, "simplex_iteration_count");
    return runStatus === HIGHS_ERROR ? "error" : toLpStatus(api._Highs_getModelStatus(this.#highs));
  }

  /** Copies column values and row duals of the last solve out of wasm memory, once per solve. */
  #fetch(): void {
    if (this.#fetched) return;
    const native = this.#native;
    const cols = this.#numCols;
    const rows = this.#numRows;
    if (this.#colValue.length !== cols) this.#colValue = new Float64Array(cols);
    if (this.#rowDual.length !== rows) this.#rowDual = new Float64Array(rows);
    const [colAt] = native.stage([], (cols + rows) * 8).slice(-1) as [number];
    const rowAt = colAt + cols * 8;
    check(native.api._Highs_getSolution(this.#highs, colAt, 0, 0, rowAt), "getSolution");
    this.#colValue.set(native.f64(colAt, cols));
    this.#rowDual.set(native.f64(rowAt, rows));
    this.#fetched = true;
  }
}
