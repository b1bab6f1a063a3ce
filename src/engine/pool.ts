/**
 * Spreads work over executors and keeps their LPs in step with the coordinator's cut pool.
 *
 * Tasks are split into contiguous chunks, one per executor, and results are merged back in task
 * order. Because every solve starts from an explicitly installed basis, the split does not change
 * any result: one executor or several give bit-identical numbers.
 *
 * @module
 */
import type { BackwardTask, OpeningSolve } from "./backward.ts";
import type { Cut } from "./cuts.ts";
import type { CutDelta, Executor } from "./executor.ts";
import type { ForwardTask, ForwardTrajectory } from "./forward.ts";
import type { LpSolverStats } from "./lp/mod.ts";
import type { SimulationScenarioResult } from "./results.ts";
import type { SimulationTask } from "./simulation.ts";
import type { SolveSite } from "./stage_runner.ts";

/** Splits `items` into at most `parts` contiguous chunks of near-equal size (no empty chunk). */
export function chunk<T>(items: readonly T[], parts: number): T[][] {
  const count = Math.max(1, Math.min(parts, items.length));
  const chunks: T[][] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = start + Math.floor(items.length / count) + (i < items.length % count ? 1 : 0);
    chunks.push(items.slice(start, end));
    start = end;
  }
  return chunks.filter((c) => c.length > 0);
}

/** The executors of a run plus the cut pool they mirror. */
export class ExecutorPool {
  readonly #executors: Executor[];
  readonly #cuts: Cut[][];
  readonly #synced: number[][];

  /** `cuts[t]` is the coordinator's pool for stage t; it is read, never copied. */
  constructor(executors: Executor[], cuts: Cut[][]) {
    this.#executors = executors;
    this.#cuts = cuts;
    this.#synced = executors.map(() => cuts.map(() => 0));
  }

  get size(): number {
    return this.#executors.length;
  }

  forward(tasks: ForwardTask[]): Promise<ForwardTrajectory[]> {
    return this.#spread(
      tasks,
      (executor, cuts, part) => executor.run({ kind: "forward", cuts, tasks: part }),
    );
  }

  /** Solves backward tasks; each task runs whole on one executor (see `solveOpenings`). */
  backward(
    tasks: BackwardTask[],
    iteration: number,
    phase: SolveSite["phase"],
  ): Promise<OpeningSolve[]> {
    return this.#spread(
      tasks,
      (executor, cuts, part) =>
        executor.run({ kind: "backward", cuts, tasks: part, iteration, phase }),
    );
  }

  simulate(tasks: SimulationTask[]): Promise<SimulationScenarioResult[]> {
    return this.#spread(
      tasks,
      (executor, cuts, part) => executor.run({ kind: "simulate", cuts, tasks: part }),
    );
  }

  /** Solver counters of every executor. */
  stats(): Promise<LpSolverStats[]> {
    return Promise.all(this.#executors.map((e) => e.run({ kind: "stats" })));
  }

  close(): void {
    for (const executor of this.#executors) executor.close();
  }

  /** Cuts executor `e` has not received yet (and marks them as sent). */
  #delta(e: number): CutDelta[] {
    const deltas: CutDelta[] = [];
    this.#cuts.forEach((pool, t) => {
      const first = this.#synced[e]![t]!;
      if (pool.length > first) deltas.push({ stage: t, first, cuts: pool.slice(first) });
      this.#synced[e]![t] = pool.length;
    });
    return deltas;
  }

  async #spread<T, R>(
    items: readonly T[],
    call: (executor: Executor, cuts: CutDelta[], part: T[]) => Promise<R[]>,
  ): Promise<R[]> {
    const parts = chunk(items, this.#executors.length);
    // Executors without work still get the cut deltas later; only those with a part run now.
    // Remote executors come first in the list, so their requests are posted before the local
    // executor (last) blocks this thread with its own solves.
    const results = await Promise.all(
      parts.map((part, i) => {
        const e = this.#executors.length - parts.length + i;
        return call(this.#executors[e]!, this.#delta(e), part);
      }),
    );
    return results.flat();
  }
}
