/**
 * The cuts of one stage that are rows of one lane's LP, chosen so every solve stays exact.
 *
 * A stage's pool grows by one cut per forward pass and iteration (1,024 on 4ree after 256
 * iterations), yet at a solution only one or two bind (measured on 4ree: 1.2 per solve on
 * average, 95 of 256 ever over 2,560 solves). HiGHS pays for every row on every run, so a
 * persistent LP keeps only the cuts it needs:
 *
 * - New pool cuts become rows before the next solve: they were made at nearby trial states and
 *   most bind at once (adding them only when violated cost a re-solve in one solve of five).
 * - After a solve, every pool cut that is not a row is checked at the solution
 *   (`alpha + beta'x > theta`); violated ones become rows and the LP is solved again, warm, until
 *   none is violated. The accepted solution is then optimal for the LP holding every cut (it is
 *   feasible for it and optimal for a relaxation of it), so objectives and cut gradients are
 *   those of the full LP.
 * - Rows that have not bound (zero dual) for `IDLE_SOLVES` solves of this LP leave it, in
 *   batches, since a deletion costs a refactorisation on the next solve.
 *
 * A rebuilt LP (the benchmark baseline) keeps every cut: it has no state to keep a working set
 * in, which is the point of comparing it.
 *
 * Everything here depends only on this LP's own sequence of solves, so lanes keep results
 * independent of the Worker count.
 *
 * @module
 */
import type { Cut } from "./cuts.ts";
import { cutRows, outgoingStateColumn } from "./cuts.ts";
import type { LpSolver } from "./lp/mod.ts";
import type { StageLayout } from "./stage_lp.ts";

/** Solves of one LP a cut row may stay without binding before it may leave. */
export const IDLE_SOLVES = 120;
/** Idle rows gathered before one deletion (a deletion forces a refactorisation). */
const PRUNE_BATCH = 16;
/** A cut counts as violated above this fraction of `max(1, |theta|)`. */
const VIOLATION_TOLERANCE = 1e-9;

/** Cut rows of one stage LP. */
export class ActiveCuts {
  readonly #layout: StageLayout;
  readonly #stateColumns: Int32Array;
  readonly #prune: boolean;
  /** Pool index of the cut in each cut row (rows `numStructuralRows ..` in order). */
  #cutOfRow: number[] = [];
  /** Per cut row: value of `#solves` when it last bound (or was added). */
  #lastBinding: number[] = [];
  /** Per pool cut: whether it is a row now. */
  readonly #isRow: boolean[] = [];
  /** Pool cuts seen so far (later ones are new). */
  #seen = 0;
  #solves = 0;
  /** Rows idle for too long at the last accepted solution. */
  #idle = 0;

  /** `prune: false` keeps every cut as a row (no working set). */
  constructor(layout: StageLayout, stateDim: number, prune: boolean) {
    this.#layout = layout;
    this.#prune = prune;
    this.#stateColumns = Int32Array.from(
      { length: stateDim },
      (_, d) => outgoingStateColumn(layout, d),
    );
  }

  /** Number of cut rows in the LP. */
  get rows(): number {
    return this.#cutOfRow.length;
  }

  /** Before a solve: drops rows idle for too long (in batches), then appends new pool cuts. */
  prepare(solver: LpSolver, pool: readonly Cut[]): void {
    if (this.#prune && this.#idle >= PRUNE_BATCH) this.#dropIdle(solver);
    const fresh: Cut[] = [];
    for (let k = this.#seen; k < pool.length; k++) {
      if (this.#isRow[k] !== true) fresh.push(this.#markRow(pool, k));
    }
    this.#seen = pool.length;
    if (fresh.length > 0) solver.addRows(cutRows(this.#layout, fresh));
  }

  /**
   * Appends every pool cut violated at `primal` that is not a row yet; returns how many (0 means
   * the solution is optimal with the whole pool).
   */
  addViolated(solver: LpSolver, pool: readonly Cut[], primal: Float64Array): number {
    if (this.#cutOfRow.length === pool.length) return 0;
    const theta = primal[this.#layout.colTheta]!;
    const tolerance = VIOLATION_TOLERANCE * Math.max(1, Math.abs(theta));
    const columns = this.#stateColumns;
    const violated: Cut[] = [];
    for (let k = 0; k < pool.length; k++) {
      if (this.#isRow[k] === true) continue;
      const cut = pool[k]!;
      const beta = cut.coefficients;
      let value = cut.intercept;
      for (let d = 0; d < beta.length; d++) value += beta[d]! * primal[columns[d]!]!;
      if (value - theta > tolerance) violated.push(this.#markRow(pool, k));
    }
    if (violated.length > 0) solver.addRows(cutRows(this.#layout, violated));
    return violated.length;
  }

  /** Notes which cut rows bind at the accepted solution (call before the next solve). */
  settle(rowDuals: Float64Array): void {
    this.#solves++;
    if (!this.#prune) return;
    const first = this.#layout.numStructuralRows;
    let idle = 0;
    for (let r = 0; r < this.#cutOfRow.length; r++) {
      if (rowDuals[first + r] !== 0) this.#lastBinding[r] = this.#solves;
      else if (this.#solves - this.#lastBinding[r]! > IDLE_SOLVES) idle++;
    }
    this.#idle = idle;
  }

  #markRow(pool: readonly Cut[], k: number): Cut {
    this.#isRow[k] = true;
    this.#cutOfRow.push(k);
    this.#lastBinding.push(this.#solves);
    return pool[k]!;
  }

  #dropIdle(solver: LpSolver): void {
    const first = this.#layout.numStructuralRows;
    const drop: number[] = [];
    const cutOfRow: number[] = [];
    const lastBinding: number[] = [];
    this.#cutOfRow.forEach((cut, r) => {
      if (this.#solves - this.#lastBinding[r]! > IDLE_SOLVES) {
        drop.push(first + r);
        this.#isRow[cut] = false;
      } else {
        cutOfRow.push(cut);
        lastBinding.push(this.#lastBinding[r]!);
      }
    });
    solver.deleteRows(Int32Array.from(drop));
    this.#cutOfRow = cutOfRow;
    this.#lastBinding = lastBinding;
    this.#idle = 0;
  }
}
