/**
 * Caller side of the run Worker: start a run in its own Worker, receive events and simulation
 * batches, cancel it.
 *
 * @module
 */
import { CobreError } from "../common/mod.ts";
import type { CaseModel } from "./case_types.ts";
import type { EngineEvent } from "./events.ts";
import {
  CONTROL_LENGTH,
  CONTROL_SLOTS,
  type RunWorkerMessage,
  type RunWorkerRequest,
  type WorkerRunOptions,
} from "./protocol.ts";
import type { RunResult, SimulationScenarioResult } from "./results.ts";

/** A run in progress inside a Worker. */
export interface RunHandle {
  /**
   * Resolves with the result (status "partial" after a cancel) once `onScenarios` has consumed
   * every batch; rejects with a CobreError, or with the error `onScenarios` threw.
   */
  result: Promise<RunResult>;
  /** Asks the run to stop at the next iteration boundary (it still resolves `result`). */
  cancel(): void;
  /** Kills the Worker at once; `result` rejects if it had not settled. */
  terminate(): void;
}

/** What the caller hears from a run. */
export interface RunListeners {
  /** Progress events, as they arrive. */
  onEvent?: (event: EngineEvent) => void;
  /**
   * Each simulation batch, sorted by `scenario_id`, once and in order; a batch is handed over only
   * after the previous call settled, and the run Worker waits while `MAX_BATCHES_OUTSTANDING`
   * batches are unconsumed. When given, `result.simulation.scenarios` is empty. If it throws, the
   * Worker is killed, later batches are dropped and `result` rejects with that error.
   */
  onScenarios?: (batch: SimulationScenarioResult[]) => void | Promise<void>;
}

/** Extra Worker options, e.g. `{ permissions: ... }` (needs `--unstable-worker-options`). */
export interface RunWorkerSpawnOptions {
  deno?: { permissions?: Deno.PermissionOptions };
}

/** Starts `trainAndSimulate(model, options)` in a new Worker. */
export function startRunWorker(
  model: CaseModel,
  options: WorkerRunOptions,
  listeners: RunListeners = {},
  spawn: RunWorkerSpawnOptions = {},
): RunHandle {
  const worker = new Worker(new URL("./worker.ts", import.meta.url), {
    type: "module",
    ...spawn,
  });
  const control = new Int32Array(
    new SharedArrayBuffer(CONTROL_LENGTH * Int32Array.BYTES_PER_ELEMENT),
  );
  let settle: { resolve: (r: RunResult) => void; reject: (e: unknown) => void } | null = null;
  const result = new Promise<RunResult>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Batches are consumed one after another on this chain; it never rejects.
  let consuming: Promise<void> = Promise.resolve();
  let decided = false;
  // Set when the run failed: batches not yet consumed are dropped.
  let failed = false;
  // A consumer failure outranks any outcome, even a result that came in while it was writing.
  let consumerFailure: { error: unknown } | null = null;
  // The first outcome wins. It settles `result` only once the batches received so far are
  // consumed (after a failure: once the one being consumed is done), so the caller never sees
  // the run end while its consumer is still writing. Every batch precedes the result message.
  const finish = (action: (s: NonNullable<typeof settle>) => void, failure: boolean) => {
    if (decided) return;
    decided = true;
    failed ||= failure;
    worker.terminate();
    void consuming.then(() => {
      const s = settle;
      settle = null;
      if (s === null) return;
      if (consumerFailure !== null) s.reject(consumerFailure.error);
      else action(s);
    });
  };
  const consume = (batch: SimulationScenarioResult[]) => {
    const onScenarios = listeners.onScenarios;
    if (onScenarios === undefined) return;
    consuming = consuming.then(async () => {
      if (failed) return;
      try {
        await onScenarios(batch);
      } catch (error) {
        consumerFailure = { error };
        failed = true;
        finish((s) => s.reject(error), true);
        return;
      }
      Atomics.add(control, CONTROL_SLOTS.batchesWritten, 1);
      Atomics.notify(control, CONTROL_SLOTS.batchesWritten);
    });
  };
  worker.onmessage = (event: MessageEvent<RunWorkerMessage>) => {
    const message = event.data;
    if (message.type === "event") listeners.onEvent?.(message.event);
    else if (message.type === "scenarios") consume(message.batch);
    else if (message.type === "result") finish((s) => s.resolve(message.result), false);
    else finish((s) => s.reject(new CobreError(message.record)), true);
  };
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    finish((s) => s.reject(new Error(`Run worker failed: ${event.message}`)), true);
  };
  const start: RunWorkerRequest = {
    type: "start",
    model,
    options,
    control,
    streamScenarios: listeners.onScenarios !== undefined,
  };
  worker.postMessage(start);
  return {
    result,
    cancel: () => {
      if (decided) return;
      Atomics.store(control, CONTROL_SLOTS.stop, 1);
      // Wakes a Worker waiting for this side to consume a batch.
      Atomics.notify(control, CONTROL_SLOTS.batchesWritten);
    },
    terminate: () => finish((s) => s.reject(new Error("Run worker terminated")), true),
  };
}
