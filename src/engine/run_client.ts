/**
 * Caller side of the run Worker: start a run in its own Worker, receive events, cancel it.
 *
 * @module
 */
import { CobreError } from "../common/mod.ts";
import type { CaseModel } from "./case_types.ts";
import type { EngineEvent } from "./events.ts";
import type { RunWorkerMessage, RunWorkerRequest, WorkerRunOptions } from "./protocol.ts";
import type { RunResult } from "./results.ts";

/** A run in progress inside a Worker. */
export interface RunHandle {
  /** Resolves with the result (status "partial" after a cancel); rejects with a CobreError. */
  result: Promise<RunResult>;
  /** Asks the run to stop at the next iteration boundary (it still resolves `result`). */
  cancel(): void;
  /** Kills the Worker at once; `result` rejects if it had not settled. */
  terminate(): void;
}

/** Extra Worker options, e.g. `{ permissions: ... }` (needs `--unstable-worker-options`). */
export interface RunWorkerSpawnOptions {
  deno?: { permissions?: Deno.PermissionOptions };
}

/** Starts `trainAndSimulate(model, options)` in a new Worker. */
export function startRunWorker(
  model: CaseModel,
  options: WorkerRunOptions,
  onEvent: (event: EngineEvent) => void,
  spawn: RunWorkerSpawnOptions = {},
): RunHandle {
  const worker = new Worker(new URL("./worker.ts", import.meta.url), {
    type: "module",
    ...spawn,
  });
  let settle: { resolve: (r: RunResult) => void; reject: (e: unknown) => void } | null = null;
  const result = new Promise<RunResult>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const finish = (action: (s: NonNullable<typeof settle>) => void) => {
    if (settle === null) return;
    const s = settle;
    settle = null;
    worker.terminate();
    action(s);
  };
  worker.onmessage = (event: MessageEvent<RunWorkerMessage>) => {
    const message = event.data;
    if (message.type === "event") onEvent(message.event);
    else if (message.type === "result") finish((s) => s.resolve(message.result));
    else finish((s) => s.reject(new CobreError(message.record)));
  };
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    finish((s) => s.reject(new Error(`Run worker failed: ${event.message}`)));
  };
  const stop = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  const start: RunWorkerRequest = { type: "start", model, options, stop };
  worker.postMessage(start);
  return {
    result,
    cancel: () => {
      if (settle === null) return;
      Atomics.store(stop, 0, 1);
      const cancel: RunWorkerRequest = { type: "cancel" };
      worker.postMessage(cancel);
    },
    terminate: () => finish((s) => s.reject(new Error("Run worker terminated"))),
  };
}
