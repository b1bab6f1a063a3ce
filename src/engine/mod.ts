/**
 * SDDP engine: trains a policy for a Cobre case on HiGHS (WebAssembly) and simulates it.
 *
 * - `trainAndSimulate(model, options)` runs in the calling thread (put it in a Worker).
 * - `startRunWorker(model, options, { onEvent, onScenarios })` does exactly that: the run gets
 *   its own Worker, events stream back, `cancel()` stops at the next iteration with a partial
 *   result. With `onScenarios`, simulation batches stream to the caller as they finish (memory
 *   bounded by `MAX_BATCHES_OUTSTANDING`) instead of coming back inside the result.
 * - `workers` (default "auto", see `autoThreads`) spreads lanes of stage LPs over solver
 *   Workers; results are bit-identical for any count (`lanes.ts`).
 *
 * Result and event types mirror the Cobre output format so `src/output` can map them 1:1.
 *
 * @module
 */
export type * from "./results.ts";
export type * from "./events.ts";
export type { RunWorkerMessage, RunWorkerRequest, WorkerRunOptions } from "./protocol.ts";
export { MAX_BATCHES_OUTSTANDING } from "./protocol.ts";
export { trainAndSimulate } from "./run.ts";
export type { RunOptions } from "./run.ts";
export { startRunWorker } from "./run_client.ts";
export type { RunHandle, RunListeners, RunWorkerSpawnOptions } from "./run_client.ts";
export { COST_SCALE } from "./stage_lp.ts";
export type { LpMode } from "./lp/mod.ts";
export { autoThreads, LANES, PARALLEL_MIN_SOLVES_PER_ITERATION } from "./lanes.ts";
