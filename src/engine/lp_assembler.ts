/**
 * Incremental assembly of an LP in CSC form: add columns and rows by name-free index, add
 * coefficients in any order, then freeze into an `LpModel`.
 *
 * @module
 */
import type { LpModel } from "./lp/mod.ts";

/** Collects columns, rows and nonzeros; `build()` produces the CSC model. */
export class LpAssembler {
  readonly colCost: number[] = [];
  readonly colLower: number[] = [];
  readonly colUpper: number[] = [];
  readonly rowLower: number[] = [];
  readonly rowUpper: number[] = [];
  readonly #entries: [number, number][][] = [];

  /** Adds `count` columns with the same bounds and cost; returns the first index. */
  addCols(count: number, lower: number, upper: number, cost = 0): number {
    const first = this.colCost.length;
    for (let i = 0; i < count; i++) {
      this.colCost.push(cost);
      this.colLower.push(lower);
      this.colUpper.push(upper);
      this.#entries.push([]);
    }
    return first;
  }

  /** Adds `count` rows with the same bounds; returns the first index. */
  addRows(count: number, lower: number, upper: number): number {
    const first = this.rowLower.length;
    for (let i = 0; i < count; i++) {
      this.rowLower.push(lower);
      this.rowUpper.push(upper);
    }
    return first;
  }

  /** Adds `value` to the coefficient at (row, col). */
  add(row: number, col: number, value: number): void {
    if (value === 0) return;
    const column = this.#entries[col]!;
    const existing = column.find((entry) => entry[0] === row);
    if (existing !== undefined) existing[1] += value;
    else column.push([row, value]);
  }

  get numCols(): number {
    return this.colCost.length;
  }

  get numRows(): number {
    return this.rowLower.length;
  }

  /** Freezes the collected data into a CSC model with rows sorted inside each column. */
  build(): LpModel {
    const colStarts = new Int32Array(this.numCols + 1);
    let nonzeros = 0;
    this.#entries.forEach((column, c) => {
      column.sort((a, b) => a[0] - b[0]);
      nonzeros += column.length;
      colStarts[c + 1] = nonzeros;
    });
    const rowIndex = new Int32Array(nonzeros);
    const values = new Float64Array(nonzeros);
    let k = 0;
    for (const column of this.#entries) {
      for (const [row, value] of column) {
        rowIndex[k] = row;
        values[k] = value;
        k++;
      }
    }
    return {
      numCols: this.numCols,
      numRows: this.numRows,
      colCost: Float64Array.from(this.colCost),
      colLower: Float64Array.from(this.colLower),
      colUpper: Float64Array.from(this.colUpper),
      rowLower: Float64Array.from(this.rowLower),
      rowUpper: Float64Array.from(this.rowUpper),
      colStarts,
      rowIndex,
      values,
    };
  }
}
