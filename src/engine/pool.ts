/**
 * Spreads lane work over executors and keeps their copies of the cut pool in step with the
 * coordinator's.
 *
 * Lane `k` always runs on executor `k % executors` (`lanes.ts`), so each lane's LPs live in one
 * place for the whole run; results come back in lane order and callers sort them by pass,
 * opening or scenario. Which executor runs a lane never changes a result.
 *
 * @module
 */
import type { BackwardTask, OpeningSolve } from "./backward.ts";
import type { Cut } from "./cuts.ts";
import type { CutDelta, Executor, LaneWork } from "./executor.ts";
import type { ForwardTask, ForwardTrajectory } from "./forward.ts";
import { executorOfLane } from "./lanes.ts";
import type { SimulationScenarioResult } from "./results.ts";
import type { RunnerStats, SolveSite } from "./stage_runner.ts";

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

  /** Runs forward passes; `lanes[k]` lists lane k's passes in the order it runs them. */
  forward(lanes: ForwardTask[][]): Promise<ForwardTrajectory[]> {
    return this.#spread(
      lanes,
      (executor, cuts, work) => executor.run({ kind: "forward", cuts, work }),
    );
  }

  /** Solves backward tasks; `lanes[k]` lists lane k's tasks in the order it solves them. */
  backward(
    lanes: BackwardTask[][],
    iteration: number,
    phase: SolveSite["phase"],
  ): Promise<OpeningSolve[]> {
    return this.#spread(
      lanes,
      (executor, cuts, work) => executor.run({ kind: "backward", cuts, work, iteration, phase }),
    );
  }

  /** Simulates scenarios; `lanes[k]` lists lane k's scenarios in the order it runs them. */
  simulate(lanes: number[][]): Promise<SimulationScenarioResult[]> {
    return this.#spread(
      lanes,
      (executor, cuts, work) => executor.run({ kind: "simulate", cuts, work }),
    );
  }

  /** Solver counters of every executor. */
  stats(): Promise<RunnerStats[]> {
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
    lanes: readonly T[][],
    call: (executor: Executor, cuts: CutDelta[], work: LaneWork<T>[]) => Promise<R[]>,
  ): Promise<R[]> {
    const count = this.#executors.length;
    const work: LaneWork<T>[][] = this.#executors.map(() => []);
    lanes.forEach((items, lane) => {
      if (items.length > 0) work[executorOfLane(lane, count)]!.push({ lane, items });
    });
    // Executors without work get their cut deltas with a later request. Remote executors come
    // first in the list, so their requests are posted before the local executor (last) blocks
    // this thread with its own solves.
    const results = await Promise.all(
      work.map((part, e) =>
        part.length === 0 ? Promise.resolve([]) : call(this.#executors[e]!, this.#delta(e), part)
      ),
    );
    return results.flat();
  }
}
