/**
 * Typed message protocol between a caller and the run Worker (`worker.ts`).
 *
 * caller -> worker: `start` once. The start message carries a shared control array
 * (`CONTROL_SLOTS`): a busy run Worker does not get its parent's messages promptly (Deno delayed a
 * cancel message by ~64 iterations), so every later signal goes through shared memory, read with
 * `Atomics`:
 * - `stop`: raised by the caller to cancel; the run stops at its next boundary.
 * - `batchesWritten`: scenario batches the caller has consumed. With `streamScenarios`, the
 *   Worker waits (`Atomics.waitAsync`) before handing over a batch while
 *   `MAX_BATCHES_OUTSTANDING` of its batches are still unconsumed, so a slow writer bounds the
 *   rows in flight instead of letting them queue up in the caller's memory.
 *
 * worker -> caller: any number of `event`s and (when streaming) `scenarios` batches in order,
 * then exactly one `result` or `error`. Messages keep their order, so every batch arrives before
 * the result.
 *
 * @module
 */
import type { ErrorRecord } from "../common/mod.ts";
import type { CaseModel } from "./case_types.ts";
import type { EngineEvent } from "./events.ts";
import type { RunResult, SimulationScenarioResult } from "./results.ts";
import type { RunOptions } from "./run.ts";

/** Run options that can cross a Worker boundary (no callbacks, no signal). */
export type WorkerRunOptions = Omit<
  RunOptions,
  "signal" | "shouldStop" | "onEvent" | "onScenarios"
>;

/** Indices into the shared control array of a start message. */
export const CONTROL_SLOTS = { stop: 0, batchesWritten: 1 } as const;

/** Length of the shared control array. */
export const CONTROL_LENGTH = 2;

/**
 * Scenario batches the Worker may have handed over beyond those the caller consumed: one being
 * written while the next waits lets writing overlap simulating, and caps the rows in flight.
 */
export const MAX_BATCHES_OUTSTANDING = 2;

/** The message the caller sends (once); later signals go through `control`. */
export interface RunWorkerRequest {
  type: "start";
  model: CaseModel;
  options: WorkerRunOptions;
  /** `CONTROL_LENGTH` slots on a SharedArrayBuffer, indexed by `CONTROL_SLOTS`. */
  control: Int32Array;
  /** Post each simulation batch as a `scenarios` message instead of keeping it. */
  streamScenarios: boolean;
}

/** Messages the Worker sends. */
export type RunWorkerMessage =
  | { type: "event"; event: EngineEvent }
  | { type: "scenarios"; batch: SimulationScenarioResult[] }
  | { type: "result"; result: RunResult }
  | { type: "error"; record: ErrorRecord };
