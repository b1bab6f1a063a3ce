/**
 * `LpSolver` on one persistent HiGHS model: bounds are patched and cuts appended in place, and
 * the basis of the previous solve warm-starts the next.
 *
 * @module
 */
import type { HighsRuntime } from "./highs_runtime.ts";
import type { HighsNative } from "./highs_native.ts";
import { sizeOf } from "./highs_native.ts";
import {
  type LpBasis,
  type LpModel,
  type LpRows,
  type LpSolver,
  type LpSolverStats,
  type LpStatus,
  zeroSolverStats,
} from "./contract.ts";
import {
  check,
  createHighs,
  MATRIX_FORMAT,
  passLp,
  readSolution,
  runHighs,
  type Solution,
} from "./highs_calls.ts";
import { RESOLVE_OPTIONS, RETRY_OPTIONS } from "./options.ts";

/** A persistent HiGHS model behind the `LpSolver` contract. */
export class PersistentHighsSolver implements LpSolver {
  readonly stats: LpSolverStats = zeroSolverStats();
  readonly #native: HighsNative;
  #highs: number;
  #numRows = 0;
  #numCols = 0;
  /** Solution of the last optimal solve, copied out of wasm memory on first read. */
  readonly #solution: Solution = { colValue: new Float64Array(0), rowDual: new Float64Array(0) };
  #fetched = false;
  #objective = Number.NaN;

  constructor(runtime: HighsRuntime) {
    this.#native = runtime.native;
    this.#highs = createHighs(runtime.native);
  }

  get numRows(): number {
    return this.#numRows;
  }

  get numCols(): number {
    return this.#numCols;
  }

  load(model: LpModel): void {
    // The C API takes column starts without the final end marker.
    passLp(this.#native, this.#highs, MATRIX_FORMAT.columnWise, model.numCols, model.numRows, [
      model.colCost,
      model.colLower,
      model.colUpper,
      model.rowLower,
      model.rowUpper,
      model.colStarts.subarray(0, model.numCols),
      model.rowIndex,
      model.values,
    ]);
    this.#numRows = model.numRows;
    this.#numCols = model.numCols;
    this.#fetched = false;
  }

  setColBounds(indices: Int32Array, lower: Float64Array, upper: Float64Array): void {
    this.#changeBoundsBySet("_Highs_changeColsBoundsBySet", indices, lower, upper);
  }

  setRowBounds(indices: Int32Array, lower: Float64Array, upper: Float64Array): void {
    this.#changeBoundsBySet("_Highs_changeRowsBoundsBySet", indices, lower, upper);
  }

  /** Sets the bounds of the columns or rows listed in `indices`, in one HiGHS call. */
  #changeBoundsBySet(
    call: "_Highs_changeColsBoundsBySet" | "_Highs_changeRowsBoundsBySet",
    indices: Int32Array,
    lower: Float64Array,
    upper: Float64Array,
  ): void {
    if (indices.length === 0) return;
    const native = this.#native;
    native.begin(sizeOf(indices, lower, upper));
    const set = native.put(indices);
    const lo = native.put(lower);
    check(
      native.api[call](this.#highs, indices.length, set, lo, native.put(upper)),
      call.slice("_Highs_".length),
    );
  }

  setRowRangeBounds(first: number, lower: Float64Array, upper: Float64Array): void {
    if (lower.length === 0) return;
    const native = this.#native;
    native.begin(sizeOf(lower, upper));
    const lo = native.put(lower);
    const last = first + lower.length - 1;
    check(
      native.api._Highs_changeRowsBoundsByRange(this.#highs, first, last, lo, native.put(upper)),
      "changeRowsBoundsByRange",
    );
  }

  addRows(rows: LpRows): void {
    const count = rows.lower.length;
    if (count === 0) return;
    const native = this.#native;
    const starts = rows.rowStarts.subarray(0, count);
    native.begin(sizeOf(rows.lower, rows.upper, starts, rows.colIndex, rows.values));
    check(
      native.api._Highs_addRows(
        this.#highs,
        count,
        native.put(rows.lower),
        native.put(rows.upper),
        rows.values.length,
        native.put(starts),
        native.put(rows.colIndex),
        native.put(rows.values),
      ),
      "addRows",
    );
    this.#numRows += count;
    this.#fetched = false;
  }

  deleteRows(rows: Int32Array): void {
    if (rows.length === 0) return;
    const native = this.#native;
    native.begin(sizeOf(rows));
    check(
      native.api._Highs_deleteRowsBySet(this.#highs, rows.length, native.put(rows)),
      "deleteRows",
    );
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
    return this.#solution.colValue;
  }

  rowDuals(): Float64Array {
    this.#fetch();
    return this.#solution.rowDual;
  }

  getBasis(): LpBasis | null {
    const native = this.#native;
    const cols = this.#numCols;
    const rows = this.#numRows;
    native.begin((cols + rows) * 4 + 8);
    const colAt = native.take(cols * 4);
    const rowAt = native.take(rows * 4);
    check(native.api._Highs_getBasis(this.#highs, colAt, rowAt), "getBasis");
    return {
      colStatus: native.i32(colAt, cols).slice(),
      rowStatus: native.i32(rowAt, rows).slice(),
    };
  }

  setBasis(basis: LpBasis): void {
    // Clearing first drops scaling and edge weights left by earlier solves: without it the next
    // solve differed in the last bits depending on this model's history.
    this.#native.api._Highs_clearSolver(this.#highs);
    const native = this.#native;
    native.begin(sizeOf(basis.colStatus, basis.rowStatus));
    const col = native.put(basis.colStatus);
    check(native.api._Highs_setBasis(this.#highs, col, native.put(basis.rowStatus)), "setBasis");
  }

  resetBasis(): void {
    this.#native.api._Highs_clearSolver(this.#highs);
  }

  dispose(): void {
    if (this.#highs !== 0) this.#native.api._Highs_destroy(this.#highs);
    this.#highs = 0;
  }

  #run(): LpStatus {
    return runHighs(this.#native, this.#highs, this.stats);
  }

  /** Copies column values and row duals of the last solve out of wasm memory, once per solve. */
  #fetch(): void {
    if (this.#fetched) return;
    readSolution(this.#native, this.#highs, this.#numCols, this.#numRows, this.#solution);
    this.#fetched = true;
  }
}
