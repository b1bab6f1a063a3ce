/**
 * One set of stage LPs (one solver per stage) and the operations every pass needs: sync cuts,
 * fix the incoming state, apply an opening's noise, warm-start from a given basis, solve, read
 * the result. A run has one runner per Worker; all runners receive the same cuts in the same
 * order, and every solve starts from an explicitly installed basis, so a solve's result does not
 * depend on which runner performs it.
 *
 * @module
 */
import { CobreError, errorRecord } from "../common/mod.ts";
import type { Cut } from "./cuts.ts";
import { cutRows } from "./cuts.ts";
import type { HighsRuntime, LpBasis, LpMode, LpSolver, LpSolverStats } from "./lp/mod.ts";
import { createLpSolver } from "./lp/mod.ts";
import { parInflow } from "./scenarios/mod.ts";
import type { EngineSetup } from "./setup.ts";
import type { StageLayout } from "./stage_lp.ts";

/** HiGHS basis status of a basic variable (new cut rows enter with their slack basic). */
const BASIC = 1;

/** Where a solve happened, for error context. */
export interface SolveSite {
  phase: "forward" | "backward" | "lower_bound" | "simulation";
  stage: number;
  iteration: number | null;
  opening: number | null;
  /** Forward pass (trial state) during training, null in simulation. */
  forwardPass: number | null;
  /** Simulated scenario, null during training. */
  scenario: number | null;
}

/** Pads a saved basis with basic slacks for rows (cuts) added after it was taken. */
export function extendBasis(basis: LpBasis, numRows: number): LpBasis {
  if (basis.rowStatus.length === numRows) return basis;
  const rowStatus = new Int32Array(numRows).fill(BASIC);
  rowStatus.set(basis.rowStatus.subarray(0, Math.min(numRows, basis.rowStatus.length)));
  return { colStatus: basis.colStatus, rowStatus };
}

/**
 * Penalty slack families present in a stage LP, reported with a failure: an infeasible LP has no
 * solution to read slack values from, so the record says which relief valves existed (a missing
 * one, e.g. no inflow slack under method "none", is usually the cause).
 */
function penaltySlacks(layout: StageLayout): string[] {
  const families = ["deficit", "excess"];
  const any = (cols: number[]) => cols.some((c) => c >= 0);
  if (layout.colInflowSlack >= 0) families.push("inflow_nonnegativity");
  if (any(layout.colWithdrawalUnder)) families.push("water_withdrawal");
  if (any(layout.colOutflowBelow)) families.push("outflow_below");
  if (any(layout.colOutflowAbove)) families.push("outflow_above");
  if (any(layout.colTurbinedBelow)) families.push("turbined_below");
  if (any(layout.colGenerationBelow)) families.push("generation_below");
  return families;
}

/** The stage LPs of one Worker. */
export class StageRunner {
  readonly setup: EngineSetup;
  readonly #solvers: LpSolver[];
  readonly #cutsApplied: number[];
  /**
   * Per stage, the values patched before every solve: the state-fixing and inflow rows, which
   * the layout puts first and contiguous (rows 0 .. stateDim + nHydros - 1), then the
   * stochastic load rows listed in `#loadRows`.
   */
  readonly #headValues: Float64Array[];
  readonly #loadRows: Int32Array[];
  readonly #loadValues: Float64Array[];
  /** Per stage: effective innovation per hydro after truncation (scratch). */
  readonly #eta: Float64Array;

  constructor(setup: EngineSetup, highs: HighsRuntime, mode: LpMode) {
    this.setup = setup;
    this.#solvers = setup.stages.map((stage) => {
      const solver = createLpSolver(highs, mode);
      solver.load(stage.model);
      return solver;
    });
    this.#cutsApplied = setup.stages.map(() => 0);
    this.#headValues = setup.stages.map(({ layout }) => {
      const n = layout.nHydros;
      if (
        layout.rowStorageFix !== 0 || layout.rowLagFix !== n ||
        layout.rowInflow !== n * (1 + layout.nLags)
      ) {
        throw new Error("Stage layout must start with the state-fixing and inflow rows");
      }
      return new Float64Array(n * (2 + layout.nLags));
    });
    this.#loadRows = setup.stages.map(({ layout }) =>
      Int32Array.from(
        setup.loadBuses.flatMap((b) =>
          Array.from({ length: layout.nBlocks }, (_, k) =>
            layout.rowLoadBalance + b * layout.nBlocks + k)
        ),
      )
    );
    this.#loadValues = this.#loadRows.map((rows) => new Float64Array(rows.length));
    this.#eta = new Float64Array(setup.nHydros);
  }

  /** Number of cuts already appended to stage `t`'s LP. */
  cutsApplied(t: number): number {
    return this.#cutsApplied[t]!;
  }

  /** Appends cuts for stage `t`; `cuts` must continue exactly where the LP left off. */
  appendCuts(t: number, first: number, cuts: readonly Cut[]): void {
    if (first !== this.#cutsApplied[t]) {
      throw new Error(
        `Cut sync out of order at stage ${t}: have ${this.#cutsApplied[t]}, got ${first}`,
      );
    }
    if (cuts.length === 0) return;
    this.#solvers[t]!.addRows(cutRows(this.setup.stages[t]!.layout, cuts));
    this.#cutsApplied[t]! += cuts.length;
  }

  /** Solver counters summed over stages. */
  stats(): LpSolverStats {
    const total: LpSolverStats = {
      solves: 0,
      solveMs: 0,
      simplexIterations: 0,
      retries: 0,
      failures: 0,
    };
    for (const solver of this.#solvers) {
      total.solves += solver.stats.solves;
      total.solveMs += solver.stats.solveMs;
      total.simplexIterations += solver.stats.simplexIterations;
      total.retries += solver.stats.retries;
      total.failures += solver.stats.failures;
    }
    return total;
  }

  /**
   * Solves stage `t` from `state` (incoming storage and lags) under opening noise `noise`.
   * `start` is the basis to warm-start from (null: cold start); "continue" keeps the solver's
   * state from the previous solve of this stage, which is only history-independent when that
   * previous solve was part of the same task. Returns the scaled objective; read the solution
   * with `primal` / `rowDuals` / `basis` until the next solve of this stage. Throws a
   * `SolverFailure` CobreError when HiGHS cannot prove optimality.
   */
  solve(
    t: number,
    state: Float64Array,
    noise: Float64Array,
    start: LpBasis | null | "continue",
    site: SolveSite,
  ): number {
    const solver = this.#solvers[t]!;
    const layout = this.setup.stages[t]!.layout;
    this.#fillPatch(t, layout, state, noise);
    const head = this.#headValues[t]!;
    solver.setRowRangeBounds(0, head, head);
    const loads = this.#loadValues[t]!;
    solver.setRowBounds(this.#loadRows[t]!, loads, loads);
    if (start === null) solver.resetBasis();
    else if (start !== "continue") solver.setBasis(extendBasis(start, solver.numRows));
    const status = solver.solve();
    if (status !== "optimal") {
      throw new CobreError(errorRecord(
        "SolverFailure",
        `Stage ${layout.stageId} LP ended ${status} during the ${site.phase} pass`,
        {
          phase: site.phase,
          stage: layout.stageId,
          iteration: site.iteration,
          opening: site.opening,
          forward_pass: site.forwardPass,
          scenario: site.scenario,
          solver_status: status,
          active_penalty_slacks: penaltySlacks(layout),
        },
        status === "infeasible"
          ? "Add penalty slacks (e.g. inflow_non_negativity method 'penalty') or relax hard bounds."
          : "Check the case for unbounded costs or inconsistent bounds.",
      ));
    }
    return solver.objective();
  }

  /** Realised innovation per hydro used by the last `solve` of any stage (after truncation). */
  effectiveEta(): Float64Array {
    return this.#eta;
  }

  primal(t: number): Float64Array {
    return this.#solvers[t]!.primal();
  }

  rowDuals(t: number): Float64Array {
    return this.#solvers[t]!.rowDuals();
  }

  basis(t: number): LpBasis | null {
    return this.#solvers[t]!.getBasis();
  }

  /** Scaled objective coefficients of stage `t` (for cost breakdowns). */
  objectiveCoefficients(t: number): Float64Array {
    return this.setup.stages[t]!.model.colCost;
  }

  dispose(): void {
    for (const solver of this.#solvers) solver.dispose();
  }

  /** Writes the patch values: incoming state, inflow RHS `base + sigma * eta`, stochastic loads. */
  #fillPatch(t: number, layout: StageLayout, state: Float64Array, noise: Float64Array): void {
    const { par, inflowMethod, loadBuses, loadMean, loadStd, loadFactor } = this.setup;
    const values = this.#headValues[t]!;
    const n = layout.nHydros;
    const stateDim = n * (1 + layout.nLags);
    values.set(state.subarray(0, stateDim));
    const lags = state.subarray(n);
    const truncate = inflowMethod === "truncation" || inflowMethod === "truncation_with_penalty";
    for (let h = 0; h < n; h++) {
      const i = t * n + h;
      let eta = noise[h]!;
      const sigma = par.sigma[i]!;
      if (truncate && sigma > 0 && parInflow(par, t, h, lags, eta) < 0) {
        // Clamp the innovation so the modelled inflow is exactly zero.
        eta = (0 - parInflow(par, t, h, lags, 0)) / sigma;
      }
      this.#eta[h] = eta;
      values[stateDim + h] = par.base[i]! + sigma * eta;
    }
    const m = loadBuses.length;
    const k = layout.nBlocks;
    const loads = this.#loadValues[t]!;
    let at = 0;
    loadBuses.forEach((b, j) => {
      const realised = Math.max(0, loadMean[t * m + j]! + loadStd[t * m + j]! * noise[n + j]!);
      for (let blk = 0; blk < k; blk++) loads[at++] = realised * loadFactor[t]![b * k + blk]!;
    });
  }
}
