/**
 * Typed message protocol between a caller and the run Worker (`worker.ts`).
 *
 * caller -> worker: `start` once, then optionally `cancel`. The start message carries a shared stop
 * flag the caller raises along with `cancel`: a busy run Worker reads it between iterations
 * without waiting for its event loop to deliver the message (which Deno delayed by ~64 turns).
 * worker -> caller: any number of `event`s, then exactly one `result` or `error`.
 *
 * @module
 */
import type { ErrorRecord } from "../common/mod.ts";
import type { CaseModel } from "./case_types.ts";
import type { EngineEvent } from "./events.ts";
import type { RunResult } from "./results.ts";
import type { RunOptions } from "./run.ts";

/** Run options that can cross a Worker boundary (no callbacks, no signal). */
export type WorkerRunOptions = Omit<RunOptions, "signal" | "shouldStop" | "onEvent">;

/** Messages the caller sends. */
export type RunWorkerRequest =
  | { type: "start"; model: CaseModel; options: WorkerRunOptions; stop: Int32Array }
  | { type: "cancel" };

/** Messages the Worker sends. */
export type RunWorkerMessage =
  | { type: "event"; event: EngineEvent }
  | { type: "result"; result: RunResult }
  | { type: "error"; record: ErrorRecord };
