/**
 * `LpSolver` that builds a fresh HiGHS model for every solve (no warm start, no retained rows in
 * the native solver). It exists as the baseline the persistent solver is benchmarked against and
 * as a fallback when a persistent model misbehaves; both follow the same contract.
 *
 * @module
 */
import type { HighsRuntime } from "./highs_runtime.ts";
import type { LpBasis, LpModel, LpRows, LpSolver, LpSolverStats, LpStatus } from "./contract.ts";
import { RESOLVE_OPTIONS, RETRY_OPTIONS } from "./options.ts";
import { toLpStatus } from "./status.ts";

/** Row-major copy of the model that bound changes and appended rows edit in JavaScript. */
interface RowMajorModel {
  colCost: Float64Array;
  colLower: Float64Array;
  colUpper: Float64Array;
  rowLower: number[];
  rowUpper: number[];
  rowStarts: number[];
  colIndex: number[];
  values: number[];
}

/** Transposes a CSC model into row-major arrays. */
function toRowMajor(model: LpModel): RowMajorModel {
  const counts = new Int32Array(model.numRows + 1);
  for (let k = 0; k < model.rowIndex.length; k++) counts[(model.rowIndex[k] ?? 0) + 1]!++;
  for (let r = 0; r < model.numRows; r++) counts[r + 1]! += counts[r]!;
  const colIndex = new Array<number>(model.values.length);
  const values = new Array<number>(model.values.length);
  const fill = counts.slice(0, model.numRows);
  for (let c = 0; c < model.numCols; c++) {
    for (let k = model.colStarts[c]!; k < model.colStarts[c + 1]!; k++) {
      const r = model.rowIndex[k]!;
      const at = fill[r]!++;
      colIndex[at] = c;
      values[at] = model.values[k]!;
    }
  }
  return {
    colCost: model.colCost.slice(),
    colLower: model.colLower.slice(),
    colUpper: model.colUpper.slice(),
    rowLower: Array.from(model.rowLower),
    rowUpper: Array.from(model.rowUpper),
    rowStarts: Array.from(counts),
    colIndex,
    values,
  };
}

/** Rebuilds a native model on every `solve()`. */
export class RebuildingHighsSolver implements LpSolver {
  readonly stats: LpSolverStats = {
    solves: 0,
    solveMs: 0,
    simplexIterations: 0,
    retries: 0,
    failures: 0,
  };
  #highs: HighsRuntime;
  #model: RowMajorModel | null = null;
  #numCols = 0;
  #objective = Number.NaN;
  #colValue: Float64Array = new Float64Array(0);
  #rowDual: Float64Array = new Float64Array(0);

  constructor(highs: HighsRuntime) {
    this.#highs = highs;
  }

  get numRows(): number {
    return this.#model?.rowLower.length ?? 0;
  }

  get numCols(): number {
    return this.#numCols;
  }

  load(model: LpModel): void {
    this.#model = toRowMajor(model);
    this.#numCols = model.numCols;
  }

  setColBounds(indices: Int32Array, lower: Float64Array, upper: Float64Array): void {
    const model = this.#require();
    indices.forEach((c, k) => {
      model.colLower[c] = lower[k]!;
      model.colUpper[c] = upper[k]!;
    });
  }

  setRowBounds(indices: Int32Array, lower: Float64Array, upper: Float64Array): void {
    const model = this.#require();
    indices.forEach((r, k) => {
      model.rowLower[r] = lower[k]!;
      model.rowUpper[r] = upper[k]!;
    });
  }

  setRowRangeBounds(first: number, lower: Float64Array, upper: Float64Array): void {
    const model = this.#require();
    for (let k = 0; k < lower.length; k++) {
      model.rowLower[first + k] = lower[k]!;
      model.rowUpper[first + k] = upper[k]!;
    }
  }

  addRows(rows: LpRows): void {
    const model = this.#require();
    const base = model.values.length;
    for (let r = 0; r < rows.lower.length; r++) {
      model.rowLower.push(rows.lower[r]!);
      model.rowUpper.push(rows.upper[r]!);
      model.rowStarts.push(base + rows.rowStarts[r + 1]!);
    }
    model.colIndex.push(...rows.colIndex);
    model.values.push(...rows.values);
  }

  deleteRows(rows: Int32Array): void {
    const model = this.#require();
    const drop = new Set(rows);
    const kept: RowMajorModel = {
      ...model,
      rowLower: [],
      rowUpper: [],
      rowStarts: [0],
      colIndex: [],
      values: [],
    };
    for (let r = 0; r < model.rowLower.length; r++) {
      if (drop.has(r)) continue;
      kept.rowLower.push(model.rowLower[r]!);
      kept.rowUpper.push(model.rowUpper[r]!);
      for (let k = model.rowStarts[r]!; k < model.rowStarts[r + 1]!; k++) {
        kept.colIndex.push(model.colIndex[k]!);
        kept.values.push(model.values[k]!);
      }
      kept.rowStarts.push(kept.colIndex.length);
    }
    this.#model = kept;
  }

  solve(): LpStatus {
    this.stats.solves++;
    let status = this.#solveFresh(RESOLVE_OPTIONS);
    if (status !== "optimal") {
      this.stats.retries++;
      status = this.#solveFresh({ ...RESOLVE_OPTIONS, ...RETRY_OPTIONS });
      if (status !== "optimal") this.stats.failures++;
    }
    return status;
  }

  objective(): number {
    return this.#objective;
  }

  primal(): Float64Array {
    return this.#colValue;
  }

  rowDuals(): Float64Array {
    return this.#rowDual;
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

  #solveFresh(options: Readonly<Record<string, string | number | boolean>>): LpStatus {
    const model = this.#require();
    const native = this.#highs.createModel();
    try {
      native.options.set(options);
      const numRows = model.rowLower.length;
      native.passModel({
        numCols: this.#numCols,
        numRows,
        colCost: model.colCost,
        colLower: model.colLower,
        colUpper: model.colUpper,
        rowLower: model.rowLower,
        rowUpper: model.rowUpper,
        matrix: {
          format: "csr",
          numRows,
          numCols: this.#numCols,
          starts: model.rowStarts,
          indices: model.colIndex,
          values: model.values,
        },
      });
      const start = performance.now();
      let status: LpStatus;
      try {
        status = toLpStatus(native.run().modelStatus);
      } catch {
        status = "error";
      }
      this.stats.solveMs += performance.now() - start;
      this.stats.simplexIterations += Number(native.info.get("simplex_iteration_count"));
      if (status === "optimal") {
        this.#objective = native.getObjectiveValue();
        const solution = native.getSolution();
        this.#colValue = solution.colValue;
        this.#rowDual = solution.rowDual;
      }
      return status;
    } finally {
      native.dispose();
    }
  }
}
