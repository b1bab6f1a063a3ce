/**
 * Executors run forward passes, backward openings and simulated scenarios on the lanes they host
 * (see `lanes.ts`). `LocalExecutor` works in the calling thread; `WorkerExecutor` forwards the
 * same requests to a solver Worker (`solver_worker.ts`). Cut deltas travel with every request,
 * so each executor's copy of the pool is the coordinator's as of that request.
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
import type { HighsRuntime, LpMode } from "./lp/mod.ts";
import type { SimulationScenarioResult } from "./results.ts";
import type { EngineSetup } from "./setup.ts";
import { simulateScenario } from "./simulation.ts";
import type { RunnerStats, SolveSite } from "./stage_runner.ts";
import { StageRunner } from "./stage_runner.ts";
import type { WireDims, WireRequest } from "./wire.ts";
import { packRequest, unpackResult } from "./wire.ts";

/** Cuts of one stage that an executor has not seen yet, starting at pool position `first`. */
export interface CutDelta {
  stage: number;
  first: number;
  cuts: Cut[];
}

/** The items one lane performs in a request, in order. */
export interface LaneWork<T> {
  lane: number;
  items: T[];
}

/** A unit of work an executor performs. */
export type ExecutorRequest =
  | { kind: "forward"; cuts: CutDelta[]; work: LaneWork<ForwardTask>[] }
  | {
    kind: "backward";
    cuts: CutDelta[];
    work: LaneWork<BackwardTask>[];
    iteration: number;
    phase: SolveSite["phase"];
  }
  /** Items are scenario numbers. */
  | { kind: "simulate"; cuts: CutDelta[]; work: LaneWork<number>[] }
  | { kind: "stats" };

/** Result type per request kind. */
export interface ExecutorResults {
  forward: ForwardTrajectory[];
  backward: OpeningSolve[];
  simulate: SimulationScenarioResult[];
  stats: RunnerStats;
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
  for (const delta of request.cuts) runner.receiveCuts(delta.stage, delta.first, delta.cuts);
  switch (request.kind) {
    case "forward":
      return request.work.flatMap(({ lane, items }) =>
        items.map((task) => runForwardPass(runner.lane(lane), task))
      );
    case "backward":
      return request.work.flatMap(({ lane, items }) =>
        items.flatMap((task) =>
          solveOpenings(runner.lane(lane), task, request.iteration, request.phase)
        )
      );
    case "simulate":
      return request.work.flatMap(({ lane, items }) =>
        items.map((scenario) => simulateScenario(runner.lane(lane), scenario))
      );
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

/** Messages between a `WorkerExecutor` and its solver Worker (requests in wire form). */
export type SolverWorkerMessage =
  | { type: "init"; setup: EngineSetup; wasm: Uint8Array | WebAssembly.Module; mode: LpMode }
  | { type: "request"; id: number; request: WireRequest };

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
    {
      kind: ExecutorRequest["kind"];
      resolve: (v: unknown) => void;
      reject: (e: unknown) => void;
    }
  >();
  readonly #dims: WireDims;
  #nextId = 0;
  #ready = false;
  readonly ready: Promise<void>;

  constructor(setup: EngineSetup, wasm: Uint8Array | WebAssembly.Module, mode: LpMode) {
    this.#worker = new Worker(SOLVER_WORKER_URL, { type: "module" });
    this.#dims = { stages: setup.stages.length, stateDim: setup.stateDim };
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
      if (reply.type === "result") {
        pending.resolve(unpackResult(pending.kind, reply.result, this.#dims));
      } else pending.reject(reply.record ? new CobreError(reply.record) : new Error(reply.message));
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
      this.#pending.set(id, {
        kind: request.kind,
        resolve: (v) => resolve(v as ExecutorResults[K]),
        reject,
      });
    });
    const { wire, transfer } = packRequest(request, this.#dims.stateDim);
    const message: SolverWorkerMessage = { type: "request", id, request: wire };
    this.#worker.postMessage(message, transfer);
    return result;
  }

  close(): void {
    this.#worker.terminate();
    for (const pending of this.#pending.values()) pending.reject(new Error("Solver worker closed"));
    this.#pending.clear();
  }
}
