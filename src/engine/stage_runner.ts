/**
 * The stage LPs of the lanes one Worker hosts (see `lanes.ts`) and the operations every pass
 * needs: append the stage's new cuts, fix the incoming state, apply an opening's noise, solve,
 * read the result. Each lane's LP continues from its own previous optimum; cuts are appended
 * right before a lane's LP is solved, from the runner's copy of the coordinator's pool, so what
 * an LP sees depends on the lane's work alone, never on the Worker that hosts it.
 *
 * @module
 */
import { CobreError, errorRecord } from "../common/mod.ts";
import { ActiveCuts } from "./active_cuts.ts";
import type { Cut } from "./cuts.ts";
import type { HighsRuntime, LpMode, LpSolver, LpSolverStats, LpStatus } from "./lp/mod.ts";
import { createLpSolver, zeroSolverStats } from "./lp/mod.ts";
import { parInflow } from "./scenarios/mod.ts";
import type { EngineSetup } from "./setup.ts";
import type { StageLayout } from "./stage_lp.ts";

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

/** Solver counters of a runner: `solves` are stage solves, `resolves` the extra HiGHS runs. */
export interface RunnerStats extends LpSolverStats {
  resolves: number;
}

/** Sums solver counters into `total`. */
function addStats(total: LpSolverStats, stats: LpSolverStats): void {
  total.solves += stats.solves;
  total.solveMs += stats.solveMs;
  total.simplexIterations += stats.simplexIterations;
  total.retries += stats.retries;
  total.failures += stats.failures;
}

/** The lanes of one Worker plus its copy of the cut pool. */
export class StageRunner {
  readonly setup: EngineSetup;
  readonly #highs: HighsRuntime;
  readonly #mode: LpMode;
  /** Cuts received per stage, in pool order (the coordinator's pool as of the last request). */
  readonly #cuts: Cut[][];
  readonly #lanes = new Map<number, Lane>();
  readonly #patch: StagePatch;

  constructor(setup: EngineSetup, highs: HighsRuntime, mode: LpMode) {
    this.setup = setup;
    this.#highs = highs;
    this.#mode = mode;
    this.#cuts = setup.stages.map(() => []);
    this.#patch = new StagePatch(setup);
  }

  /** Records cuts for stage `t`; `cuts` must continue exactly where the copy left off. */
  receiveCuts(t: number, first: number, cuts: readonly Cut[]): void {
    const pool = this.#cuts[t]!;
    if (first !== pool.length) {
      throw new Error(`Cut sync out of order at stage ${t}: have ${pool.length}, got ${first}`);
    }
    pool.push(...cuts);
  }

  /** The LPs of lane `k` (created on first use). */
  lane(k: number): Lane {
    let lane = this.#lanes.get(k);
    if (lane === undefined) {
      lane = new Lane(
        this.setup,
        this.#cuts,
        this.#patch,
        () => createLpSolver(this.#highs, this.#mode),
        // A rebuilt LP has nowhere to keep a working set: it holds every cut (the baseline).
        this.#mode === "persistent",
      );
      this.#lanes.set(k, lane);
    }
    return lane;
  }

  /** Solver counters summed over every lane and stage. */
  stats(): RunnerStats {
    const total: RunnerStats = { ...zeroSolverStats(), resolves: 0 };
    for (const lane of this.#lanes.values()) lane.addStatsTo(total);
    return total;
  }

  dispose(): void {
    for (const lane of this.#lanes.values()) lane.dispose();
    this.#lanes.clear();
  }
}

/** One stage LP per stage, each continuing from its own previous solve. */
export class Lane {
  readonly setup: EngineSetup;
  readonly #cuts: readonly Cut[][];
  readonly #patch: StagePatch;
  readonly #create: () => LpSolver;
  readonly #prune: boolean;
  readonly #solvers: (LpSolver | null)[];
  readonly #active: (ActiveCuts | null)[];
  /** Extra HiGHS runs after violated cuts became rows. */
  #resolves = 0;

  constructor(
    setup: EngineSetup,
    cuts: readonly Cut[][],
    patch: StagePatch,
    create: () => LpSolver,
    prune: boolean,
  ) {
    this.setup = setup;
    this.#cuts = cuts;
    this.#patch = patch;
    this.#create = create;
    this.#prune = prune;
    this.#solvers = setup.stages.map(() => null);
    this.#active = setup.stages.map(() => null);
  }

  /**
   * Solves stage `t` from `state` (incoming storage and lags) under opening noise `noise`,
   * continuing from this lane's previous solve of the stage, exactly as if every cut received
   * were a row (see `active_cuts.ts`). Returns the scaled objective; read the solution with
   * `primal` / `rowDuals` until the next solve of this stage. Throws a `SolverFailure`
   * CobreError when HiGHS cannot prove optimality.
   */
  solve(t: number, state: Float64Array, noise: Float64Array, site: SolveSite): number {
    const solver = this.#solver(t);
    const active = this.#active[t]!;
    const pool = this.#cuts[t]!;
    const layout = this.setup.stages[t]!.layout;
    active.prepare(solver, pool);
    this.#patch.apply(solver, t, layout, state, noise);
    this.#check(solver.solve(), layout, site);
    while (active.addViolated(solver, pool, solver.primal()) > 0) {
      this.#resolves++;
      this.#check(solver.solve(), layout, site);
    }
    active.settle(solver.rowDuals());
    return solver.objective();
  }

  #check(status: LpStatus, layout: StageLayout, site: SolveSite): void {
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
  }

  primal(t: number): Float64Array {
    return this.#solvers[t]!.primal();
  }

  rowDuals(t: number): Float64Array {
    return this.#solvers[t]!.rowDuals();
  }

  addStatsTo(total: RunnerStats): void {
    for (const solver of this.#solvers) if (solver !== null) addStats(total, solver.stats);
    // Solver counters count HiGHS runs; a solve that needed extra cut rows counts once.
    total.solves -= this.#resolves;
    total.resolves += this.#resolves;
  }

  dispose(): void {
    for (const solver of this.#solvers) solver?.dispose();
    this.#solvers.fill(null);
  }

  /** Stage `t`'s LP (created and loaded on first use). */
  #solver(t: number): LpSolver {
    let solver = this.#solvers[t]!;
    if (solver === null) {
      const stage = this.setup.stages[t]!;
      solver = this.#create();
      solver.load(stage.model);
      this.#solvers[t] = solver;
      this.#active[t] = new ActiveCuts(stage.layout, this.setup.stateDim, this.#prune);
    }
    return solver;
  }
}

/**
 * Scratch for the per-solve patch: the state-fixing and inflow rows, which the layout puts
 * first and contiguous (rows 0 .. stateDim + nHydros - 1), then the stochastic load rows.
 * Shared by all lanes of a runner (filled right before each solve).
 */
class StagePatch {
  readonly #setup: EngineSetup;
  readonly #headValues: Float64Array[];
  readonly #loadRows: Int32Array[];
  readonly #loadValues: Float64Array[];

  constructor(setup: EngineSetup) {
    this.#setup = setup;
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
  }

  /** Writes incoming state, inflow RHS `base + sigma * eta` and stochastic loads into `solver`. */
  apply(
    solver: LpSolver,
    t: number,
    layout: StageLayout,
    state: Float64Array,
    noise: Float64Array,
  ): void {
    const { par, inflowMethod, loadBuses, loadMean, loadStd, loadFactor } = this.#setup;
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
      values[stateDim + h] = par.base[i]! + sigma * eta;
    }
    solver.setRowRangeBounds(0, values, values);
    const m = loadBuses.length;
    if (m === 0) return;
    const k = layout.nBlocks;
    const loads = this.#loadValues[t]!;
    let at = 0;
    loadBuses.forEach((b, j) => {
      const realised = Math.max(0, loadMean[t * m + j]! + loadStd[t * m + j]! * noise[n + j]!);
      for (let blk = 0; blk < k; blk++) loads[at++] = realised * loadFactor[t]![b * k + blk]!;
    });
    solver.setRowBounds(this.#loadRows[t]!, loads, loads);
  }
}
