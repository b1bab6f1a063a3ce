/**
 * Executors run forward passes, backward openings and simulated scenarios on one set of stage
 * LPs. `LocalExecutor` works in the calling thread; `WorkerExecutor` forwards the same requests
 * to a solver Worker (`solver_worker.ts`). Cut deltas travel with every request, so each
 * executor's LPs always hold exactly the coordinator's cuts.
 *
 * @module
 */
import { CobreError } from "../common/mod.ts";
import type { ErrorRecord } from "../common/mod.ts";
import type { BackwardTask, OpeningSolve } from "./backward.ts";
import { solveOpenings } from "./backward.ts";
import type { Cut } from "./cuts.ts";
import type { ForwardTask, ForwardTrajectory } from "./forward.ts";
import { runForwardPass } from "./forward.ts";
import type { HighsRuntime, LpMode, LpSolverStats } from "./lp/mod.ts";
import type { SimulationScenarioResult } from "./results.ts";
import type { EngineSetup } from "./setup.ts";
import type { SimulationTask } from "./simulation.ts";
import { simulateScenario } from "./simulation.ts";
import type { SolveSite } from "./stage_runner.ts";
import { StageRunner } from "./stage_runner.ts";

/** Cuts of one stage that an executor has not seen yet, starting at pool position `first`. */
export interface CutDelta {
  stage: number;
  first: number;
  cuts: Cut[];
}

/** A unit of work an executor performs. */
export type ExecutorRequest =
  | { kind: "forward"; cuts: CutDelta[]; tasks: ForwardTask[] }
  | {
    kind: "backward";
    cuts: CutDelta[];
    tasks: BackwardTask[];
    iteration: number;
    phase: SolveSite["phase"];
  }
  | { kind: "simulate"; cuts: CutDelta[]; tasks: SimulationTask[] }
  | { kind: "stats" };

/** Result type per request kind. */
export interface ExecutorResults {
  forward: ForwardTrajectory[];
  backward: OpeningSolve[];
  simulate: SimulationScenarioResult[];
  stats: LpSolverStats;
}

/** Something that can perform executor requests. */
export interface Executor {
  run<K extends ExecutorRequest["kind"]>(
    request: Extract<ExecutorRequest, { kind: K }>,
  ): Promise<ExecutorResults[K]>;
  close(): void;
}

/** Applies a request to a runner synchronously (shared by the local executor and the Worker). */
export function performRequest(runner: StageRunner, request: ExecutorRequest): unknown {
  if (request.kind === "stats") return runner.stats();
  for (const delta of request.cuts) runner.appendCuts(delta.stage, delta.first, delta.cuts);
  switch (request.kind) {
    case "forward":
      return request.tasks.map((task) => runForwardPass(runner, task));
    case "backward":
      return request.tasks.flatMap((task) =>
        solveOpenings(runner, task, request.iteration, request.phase)
      );
    case "simulate":
      return request.tasks.map((task) => simulateScenario(runner, task));
  }
}

/** Runs requests in the calling thread. */
export class LocalExecutor implements Executor {
  readonly #runner: StageRunner;

  constructor(setup: EngineSetup, highs: HighsRuntime, mode: LpMode) {
    this.#runner = new StageRunner(setup, highs, mode);
  }

  run<K extends ExecutorRequest["kind"]>(
    request: Extract<ExecutorRequest, { kind: K }>,
  ): Promise<ExecutorResults[K]> {
    try {
      return Promise.resolve(performRequest(this.#runner, request) as ExecutorResults[K]);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  close(): void {
    this.#runner.dispose();
  }
}

/** Messages between a `WorkerExecutor` and its solver Worker. */
export type SolverWorkerMessage =
  | { type: "init"; setup: EngineSetup; wasm: Uint8Array | WebAssembly.Module; mode: LpMode }
  | { type: "request"; id: number; request: ExecutorRequest };

/** Replies of a solver Worker. */
export type SolverWorkerReply =
  | { type: "ready" }
  | { type: "result"; id: number; result: unknown }
  | { type: "error"; id: number; record: ErrorRecord | null; message: string };

const SOLVER_WORKER_URL = new URL("./solver_worker.ts", import.meta.url);

/**
 * Whether this thread may start solver Workers: loading the Worker module from disk needs read
 * permission on it (the launcher grants the source folder, as for the recorder Worker).
 */
export function solverWorkersAllowed(): boolean {
  if (SOLVER_WORKER_URL.protocol !== "file:") return true;
  return Deno.permissions.querySync({ name: "read", path: SOLVER_WORKER_URL }).state === "granted";
}

/** Runs requests in a solver Worker. */
export class WorkerExecutor implements Executor {
  readonly #worker: Worker;
  readonly #pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: unknown) => void }
  >();
  #nextId = 0;
  #ready = false;
  readonly ready: Promise<void>;

  constructor(setup: EngineSetup, wasm: Uint8Array | WebAssembly.Module, mode: LpMode) {
    this.#worker = new Worker(SOLVER_WORKER_URL, { type: "module" });
    let markReady: () => void = () => {};
    let failReady: (error: unknown) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    this.#worker.onmessage = (event: MessageEvent<SolverWorkerReply>) => {
      const reply = event.data;
      if (reply.type === "ready") {
        this.#ready = true;
        return markReady();
      }
      const pending = this.#pending.get(reply.id);
      if (pending === undefined) return;
      this.#pending.delete(reply.id);
      if (reply.type === "result") pending.resolve(reply.result);
      else pending.reject(reply.record ? new CobreError(reply.record) : new Error(reply.message));
    };
    this.#worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      const error = new Error(`Solver worker failed: ${event.message}`);
      failReady(error);
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    };
    const init: SolverWorkerMessage = { type: "init", setup, wasm, mode };
    this.#worker.postMessage(init);
  }

  /**
   * Posts the request synchronously (when the Worker is ready), so the Worker starts while the
   * caller goes on to do its own share of the work on this thread.
   */
  run<K extends ExecutorRequest["kind"]>(
    request: Extract<ExecutorRequest, { kind: K }>,
  ): Promise<ExecutorResults[K]> {
    if (!this.#ready) return this.ready.then(() => this.run(request));
    const id = this.#nextId++;
    const result = new Promise<ExecutorResults[K]>((resolve, reject) => {
      this.#pending.set(id, { resolve: (v) => resolve(v as ExecutorResults[K]), reject });
    });
    const message: SolverWorkerMessage = { type: "request", id, request };
    this.#worker.postMessage(message);
    return result;
  }

  close(): void {
    this.#worker.terminate();
    for (const pending of this.#pending.values()) pending.reject(new Error("Solver worker closed"));
    this.#pending.clear();
  }
}
