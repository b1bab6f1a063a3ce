/**
 * `LpSolver` that builds a fresh HiGHS model for every solve (no warm start, no retained rows in
 * the native solver). It exists as the baseline the persistent solver is benchmarked against and
 * as a fallback when a persistent model misbehaves; both follow the same contract.
 *
 * To keep the comparison honest it does no more work than rebuilding needs: the model lives in
 * row-major typed arrays that bound changes and appended rows edit in place, and each solve
 * creates a HiGHS instance with the same options as the persistent solver, passes the whole LP
 * in one call, runs, copies the solution out and destroys the instance.
 *
 * @module
 */
import type { HighsRuntime } from "./highs_runtime.ts";
import type { HighsNative } from "./highs_native.ts";
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
  createHighs,
  MATRIX_FORMAT,
  passLp,
  readSolution,
  runHighs,
  type Solution,
} from "./highs_calls.ts";
import { RETRY_OPTIONS } from "./options.ts";

/** A growable typed array: `data.subarray(0, length)` holds the values. */
class Growable<T extends Float64Array | Int32Array> {
  data: T;
  length = 0;
  readonly #make: (size: number) => T;

  constructor(make: (size: number) => T, values: ArrayLike<number> = []) {
    this.#make = make;
    this.data = make(Math.max(16, values.length));
    this.data.set(values);
    this.length = values.length;
  }

  get view(): T {
    return this.data.subarray(0, this.length) as T;
  }

  push(values: ArrayLike<number>, offset = 0): void {
    const needed = this.length + values.length;
    if (needed > this.data.length) {
      const grown = this.#make(Math.max(needed, this.data.length * 2));
      grown.set(this.data.subarray(0, this.length));
      this.data = grown;
    }
    for (let i = 0; i < values.length; i++) this.data[this.length + i] = values[i]! + offset;
    this.length = needed;
  }
}

const f64 = (size: number) => new Float64Array(size);
const i32 = (size: number) => new Int32Array(size);

/** Row-major copy of the model that bound changes and appended rows edit in place. */
interface RowMajorModel {
  numCols: number;
  colCost: Float64Array;
  colLower: Float64Array;
  colUpper: Float64Array;
  rowLower: Growable<Float64Array>;
  rowUpper: Growable<Float64Array>;
  /** Row starts without the end marker (the C API's convention); `colIndex.length` ends it. */
  rowStarts: Growable<Int32Array>;
  colIndex: Growable<Int32Array>;
  values: Growable<Float64Array>;
}

/** Transposes a CSC model into row-major arrays. */
function toRowMajor(model: LpModel): RowMajorModel {
  const counts = new Int32Array(model.numRows + 1);
  for (let k = 0; k < model.rowIndex.length; k++) counts[model.rowIndex[k]! + 1]!++;
  for (let r = 0; r < model.numRows; r++) counts[r + 1]! += counts[r]!;
  const colIndex = new Int32Array(model.values.length);
  const values = new Float64Array(model.values.length);
  const fill = counts.slice(0, model.numRows);
  for (let c = 0; c < model.numCols; c++) {
    for (let k = model.colStarts[c]!; k < model.colStarts[c + 1]!; k++) {
      const at = fill[model.rowIndex[k]!]!++;
      colIndex[at] = c;
      values[at] = model.values[k]!;
    }
  }
  return {
    numCols: model.numCols,
    colCost: model.colCost.slice(),
    colLower: model.colLower.slice(),
    colUpper: model.colUpper.slice(),
    rowLower: new Growable(f64, model.rowLower),
    rowUpper: new Growable(f64, model.rowUpper),
    rowStarts: new Growable(i32, counts.subarray(0, model.numRows)),
    colIndex: new Growable(i32, colIndex),
    values: new Growable(f64, values),
  };
}

/** Rebuilds a native model on every `solve()`. */
export class RebuildingHighsSolver implements LpSolver {
  readonly stats: LpSolverStats = zeroSolverStats();
  readonly #native: HighsNative;
  #model: RowMajorModel | null = null;
  #objective = Number.NaN;
  readonly #solution: Solution = { colValue: new Float64Array(0), rowDual: new Float64Array(0) };

  constructor(runtime: HighsRuntime) {
    this.#native = runtime.native;
  }

  get numRows(): number {
    return this.#model?.rowLower.length ?? 0;
  }

  get numCols(): number {
    return this.#model?.numCols ?? 0;
  }

  load(model: LpModel): void {
    this.#model = toRowMajor(model);
  }

  setColBounds(indices: Int32Array, lower: Float64Array, upper: Float64Array): void {
    const model = this.#require();
    for (let k = 0; k < indices.length; k++) {
      model.colLower[indices[k]!] = lower[k]!;
      model.colUpper[indices[k]!] = upper[k]!;
    }
  }

  setRowBounds(indices: Int32Array, lower: Float64Array, upper: Float64Array): void {
    const model = this.#require();
    for (let k = 0; k < indices.length; k++) {
      model.rowLower.data[indices[k]!] = lower[k]!;
      model.rowUpper.data[indices[k]!] = upper[k]!;
    }
  }

  setRowRangeBounds(first: number, lower: Float64Array, upper: Float64Array): void {
    const model = this.#require();
    model.rowLower.data.set(lower, first);
    model.rowUpper.data.set(upper, first);
  }

  addRows(rows: LpRows): void {
    const model = this.#require();
    model.rowStarts.push(rows.rowStarts.subarray(0, rows.lower.length), model.colIndex.length);
    model.rowLower.push(rows.lower);
    model.rowUpper.push(rows.upper);
    model.colIndex.push(rows.colIndex);
    model.values.push(rows.values);
  }

  deleteRows(rows: Int32Array): void {
    const model = this.#require();
    const drop = new Set(rows);
    const count = model.rowLower.length;
    let kept = 0;
    let nonzeros = 0;
    for (let r = 0; r < count; r++) {
      const start = model.rowStarts.data[r]!;
      const end = r + 1 < count ? model.rowStarts.data[r + 1]! : model.colIndex.length;
      if (drop.has(r)) continue;
      model.rowLower.data[kept] = model.rowLower.data[r]!;
      model.rowUpper.data[kept] = model.rowUpper.data[r]!;
      model.rowStarts.data[kept] = nonzeros;
      model.colIndex.data.copyWithin(nonzeros, start, end);
      model.values.data.copyWithin(nonzeros, start, end);
      nonzeros += end - start;
      kept++;
    }
    model.rowLower.length = model.rowUpper.length = model.rowStarts.length = kept;
    model.colIndex.length = model.values.length = nonzeros;
  }

  solve(): LpStatus {
    this.stats.solves++;
    let status = this.#solveFresh(false);
    if (status !== "optimal") {
      this.stats.retries++;
      status = this.#solveFresh(true);
      if (status !== "optimal") this.stats.failures++;
    }
    return status;
  }

  objective(): number {
    return this.#objective;
  }

  primal(): Float64Array {
    return this.#solution.colValue;
  }

  rowDuals(): Float64Array {
    return this.#solution.rowDual;
  }

  /** A rebuilt model has no basis to hand out: every solve is cold by design. */
  getBasis(): LpBasis | null {
    return null;
  }

  setBasis(_basis: LpBasis): void {}

  resetBasis(): void {}

  dispose(): void {
    this.#model = null;
  }

  #require(): RowMajorModel {
    if (this.#model === null) throw new Error("LP solver used before load()");
    return this.#model;
  }

  #solveFresh(retry: boolean): LpStatus {
    const model = this.#require();
    const native = this.#native;
    const highs = createHighs(native);
    try {
      if (retry) native.setOptions(highs, RETRY_OPTIONS);
      const numCols = model.numCols;
      const numRows = model.rowLower.length;
      passLp(native, highs, MATRIX_FORMAT.rowWise, numCols, numRows, [
        model.colCost,
        model.colLower,
        model.colUpper,
        model.rowLower.view,
        model.rowUpper.view,
        model.rowStarts.view,
        model.colIndex.view,
        model.values.view,
      ]);
      const status = runHighs(native, highs, this.stats);
      if (status === "optimal") {
        this.#objective = native.api._Highs_getObjectiveValue(highs);
        readSolution(native, highs, numCols, numRows, this.#solution);
      }
      return status;
    } finally {
      native.api._Highs_destroy(highs);
    }
  }
}
