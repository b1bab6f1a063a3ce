/**
 * `LpSolver` on one persistent HiGHS model: bounds are patched and cuts appended in place, and
 * the basis of the previous solve warm-starts the next.
 *
 * @module
 */
import type { HighsRuntime } from "./highs_runtime.ts";
import type { LpBasis, LpModel, LpRows, LpSolver, LpSolverStats, LpStatus } from "./contract.ts";
import { RESOLVE_OPTIONS, RETRY_OPTIONS } from "./options.ts";
import { toLpStatus } from "./status.ts";

type HighsModel = ReturnType<HighsRuntime["createModel"]>;

/** A persistent HiGHS model behind the `LpSolver` contract. */
export class PersistentHighsSolver implements LpSolver {
  readonly stats: LpSolverStats = {
    solves: 0,
    solveMs: 0,
    simplexIterations: 0,
    retries: 0,
    failures: 0,
  };
  #model: HighsModel;
  #numRows = 0;
  #numCols = 0;
  #solution: { colValue: Float64Array; rowDual: Float64Array } | null = null;
  #objective = Number.NaN;

  constructor(highs: HighsRuntime) {
    this.#model = highs.createModel();
    this.#model.options.set(RESOLVE_OPTIONS);
  }

  get numRows(): number {
    return this.#numRows;
  }

  get numCols(): number {
    return this.#numCols;
  }

  load(model: LpModel): void {
    this.#model.passModel({
      numCols: model.numCols,
      numRows: model.numRows,
      colCost: model.colCost,
      colLower: model.colLower,
      colUpper: model.colUpper,
      rowLower: model.rowLower,
      rowUpper: model.rowUpper,
      matrix: {
        format: "csc",
        numRows: model.numRows,
        numCols: model.numCols,
        starts: model.colStarts,
        indices: model.rowIndex,
        values: model.values,
      },
    });
    this.#numRows = model.numRows;
    this.#numCols = model.numCols;
    this.#solution = null;
  }

  setColBounds(indices: Int32Array, lower: Float64Array, upper: Float64Array): void {
    if (indices.length === 0) return;
    this.#model.changeColsBounds({ kind: "set", indices }, lower, upper);
  }

  setRowBounds(indices: Int32Array, lower: Float64Array, upper: Float64Array): void {
    if (indices.length === 0) return;
    this.#model.changeRowsBounds({ kind: "set", indices }, lower, upper);
  }

  setRowRangeBounds(first: number, lower: Float64Array, upper: Float64Array): void {
    if (lower.length === 0) return;
    const range = { kind: "range", from: first, to: first + lower.length - 1 } as const;
    this.#model.changeRowsBounds(range, lower, upper);
  }

  addRows(rows: LpRows): void {
    const count = rows.lower.length;
    if (count === 0) return;
    this.#model.addRows({
      lower: rows.lower,
      upper: rows.upper,
      matrix: {
        format: "csr",
        numRows: count,
        numCols: this.#numCols,
        starts: rows.rowStarts,
        indices: rows.colIndex,
        values: rows.values,
      },
    });
    this.#numRows += count;
  }

  deleteRows(rows: Int32Array): void {
    if (rows.length === 0) return;
    this.#model.deleteRows({ kind: "set", indices: rows });
    this.#numRows -= rows.length;
    this.#solution = null;
  }

  solve(): LpStatus {
    this.stats.solves++;
    this.#solution = null;
    let status = this.#run();
    if (status !== "optimal") {
      // Cold retry: a stale or ill-conditioned warm basis is the usual cause of a spurious failure.
      this.stats.retries++;
      this.#model.clearSolver();
      this.#model.options.set(RETRY_OPTIONS);
      status = this.#run();
      this.#model.options.set(RESOLVE_OPTIONS);
      if (status !== "optimal") {
        this.stats.failures++;
        this.#model.clearSolver();
      }
    }
    this.#objective = status === "optimal" ? this.#model.getObjectiveValue() : Number.NaN;
    return status;
  }

  objective(): number {
    return this.#objective;
  }

  primal(): Float64Array {
    return this.#fetch().colValue;
  }

  rowDuals(): Float64Array {
    return this.#fetch().rowDual;
  }

  getBasis(): LpBasis | null {
    const basis = this.#model.getBasis();
    return { colStatus: basis.colStatus, rowStatus: basis.rowStatus };
  }

  setBasis(basis: LpBasis): void {
    // Clearing first drops scaling and edge weights left by earlier solves: without it the next
    // solve differed in the last bits depending on this model's history (measured: no CPU cost).
    this.#model.clearSolver();
    this.#model.setBasis({ colStatus: basis.colStatus, rowStatus: basis.rowStatus });
  }

  resetBasis(): void {
    this.#model.clearSolver();
  }

  dispose(): void {
    this.#model.dispose();
  }

  #run(): LpStatus {
    const start = performance.now();
    let status: LpStatus;
    try {
      status = toLpStatus(this.#model.run().modelStatus);
    } catch {
      status = "error";
    }
    this.stats.solveMs += performance.now() - start;
    const iterations = this.#model.info.get("simplex_iteration_count");
    this.stats.simplexIterations += Number(iterations);
    return status;
  }

  #fetch(): { colValue: Float64Array; rowDual: Float64Array } {
    if (this.#solution === null) {
      const solution = this.#model.getSolution();
      this.#solution = { colValue: solution.colValue, rowDual: solution.rowDual };
    }
    return this.#solution;
  }
}
