/**
 * Executors run forward passes, backward openings and simulated scenarios on the lanes they host
 * (see `lanes.ts`). `LocalExecutor` works in the calling thread; `WorkerExecutor` forwards the
 * same requests to a solver Worker (`solver_worker.ts`) over shared memory
 * (`shared_channel.ts`). Cut deltas travel with every request, so each executor's copy of the
 * pool is the coordinator's as of that request.
 *
 * A request is split in two so the coordinator can do its own share of the work between them:
 * `start` hands it over (a local executor does the work right there), `finish` resolves with the
 * result (at once if the Worker is done or finishes within `SPIN_MS`).
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
import type { SharedChannelBuffers } from "./shared_channel.ts";
import { SharedChannel } from "./shared_channel.ts";
import type { WireDims } from "./wire.ts";
import { decodeResult, encodeRequest, wireDims } from "./wire.ts";

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

/** Something that can perform executor requests, one at a time. */
export interface Executor {
  /** Hands a request over; a local executor performs it before returning. */
  start(request: ExecutorRequest): void;
  /** The result of the started request; rejects with its error. */
  finish<K extends ExecutorRequest["kind"]>(kind: K): Promise<ExecutorResults[K]>;
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
  #outcome: { result: unknown } | { error: unknown } | null = null;

  constructor(setup: EngineSetup, highs: HighsRuntime, mode: LpMode) {
    this.#runner = new StageRunner(setup, highs, mode);
  }

  start(request: ExecutorRequest): void {
    try {
      this.#outcome = { result: performRequest(this.#runner, request) };
    } catch (error) {
      this.#outcome = { error };
    }
  }

  finish<K extends ExecutorRequest["kind"]>(_kind: K): Promise<ExecutorResults[K]> {
    const outcome = this.#outcome;
    this.#outcome = null;
    if (outcome === null) return Promise.reject(new Error("Executor finished before it started"));
    if ("error" in outcome) return Promise.reject(outcome.error);
    return Promise.resolve(outcome.result as ExecutorResults[K]);
  }

  close(): void {
    this.#runner.dispose();
  }
}

/** The start-up message of a solver Worker; requests then go through the shared channel. */
export interface SolverWorkerInit {
  setup: EngineSetup;
  wasm: Uint8Array | WebAssembly.Module;
  mode: LpMode;
  channel: SharedChannelBuffers;
}

/** What a solver Worker sends back over the channel when a request fails. */
export interface SolverWorkerFailure {
  failure: { record: ErrorRecord | null; message: string };
}

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
  readonly #channel = new SharedChannel();
  readonly #dims: WireDims;
  #seq = 0;
  /** Resolves once the Worker has loaded HiGHS and built its runner. */
  readonly ready: Promise<void>;

  constructor(setup: EngineSetup, wasm: Uint8Array | WebAssembly.Module, mode: LpMode) {
    this.#worker = new Worker(SOLVER_WORKER_URL, { type: "module" });
    this.#dims = wireDims(setup);
    this.ready = new Promise<void>((resolve, reject) => {
      this.#worker.onmessage = () => resolve();
      this.#worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        reject(new Error(`Solver worker failed: ${event.message}`));
      };
    });
    const init: SolverWorkerInit = { setup, wasm, mode, channel: this.#channel.buffers };
    this.#worker.postMessage(init);
  }

  start(request: ExecutorRequest): void {
    this.#channel.postRequest(++this.#seq, {
      kind: "f64",
      data: encodeRequest(request),
    });
  }

  /** Waits (blocking this thread) for the Worker's reply; see `shared_channel.ts` for why. */
  finish<K extends ExecutorRequest["kind"]>(kind: K): Promise<ExecutorResults[K]> {
    try {
      return Promise.resolve(this.#finish(kind));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #finish<K extends ExecutorRequest["kind"]>(kind: K): ExecutorResults[K] {
    const payload = this.#channel.takeReply(this.#seq);
    if (payload === null) throw new Error("Solver worker stopped answering");
    if (payload.kind === "json" && isFailure(payload.value)) {
      const { record, message } = payload.value.failure;
      throw record === null ? new Error(message) : new CobreError(record);
    }
    return decodeResult(kind, payload, this.#dims) as ExecutorResults[K];
  }

  close(): void {
    // Ask the Worker to leave its loop; terminate() alone waits for it to run JavaScript again.
    this.#channel.postRequest(++this.#seq, { kind: "json", value: STOP });
    this.#worker.terminate();
  }
}

/** The request that makes a solver Worker leave its loop. */
export const STOP = "stop";

function isFailure(value: unknown): value is SolverWorkerFailure {
  return typeof value === "object" && value !== null && "failure" in value;
}
