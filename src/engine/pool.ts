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
import type { CutDelta, Executor, ExecutorRequest, LaneWork } from "./executor.ts";
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
    return this.#spread(lanes, (cuts, work) => ({ kind: "forward", cuts, work }));
  }

  /** Solves backward tasks; `lanes[k]` lists lane k's tasks in the order it solves them. */
  backward(
    lanes: BackwardTask[][],
    iteration: number,
    phase: SolveSite["phase"],
  ): Promise<OpeningSolve[]> {
    return this.#spread(
      lanes,
      (cuts, work) => ({ kind: "backward", cuts, work, iteration, phase }),
    );
  }

  /** Simulates scenarios; `lanes[k]` lists lane k's scenarios in the order it runs them. */
  simulate(lanes: number[][]): Promise<SimulationScenarioResult[]> {
    return this.#spread(lanes, (cuts, work) => ({ kind: "simulate", cuts, work }));
  }

  /** Solver counters of every executor. */
  stats(): Promise<RunnerStats[]> {
    for (const executor of this.#executors) executor.start({ kind: "stats" });
    return Promise.all(this.#executors.map((executor) => executor.finish("stats")));
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
    request: (cuts: CutDelta[], work: LaneWork<T>[]) => ExecutorRequest,
  ): Promise<R[]> {
    const count = this.#executors.length;
    const work: LaneWork<T>[][] = this.#executors.map(() => []);
    lanes.forEach((items, lane) => {
      if (items.length > 0) work[executorOfLane(lane, count)]!.push({ lane, items });
    });
    // Executors without work get their cut deltas with a later request. Remote executors come
    // first in the list, so they are started before the local executor (last) does its share in
    // this thread; then every result is collected, so no Worker is left mid-request on failure.
    const started: { executor: Executor; kind: ExecutorRequest["kind"] }[] = [];
    work.forEach((part, e) => {
      if (part.length === 0) return;
      const executor = this.#executors[e]!;
      const next = request(this.#delta(e), part);
      executor.start(next);
      started.push({ executor, kind: next.kind });
    });
    const settled = await Promise.allSettled(
      started.map(({ executor, kind }) => executor.finish(kind) as Promise<R[]>),
    );
    const failed = settled.find((s) => s.status === "rejected");
    if (failed !== undefined) throw failed.reason;
    return settled.flatMap((s) => (s.status === "fulfilled" ? s.value : []));
  }
}
