/**
 * SDDP engine: trains a policy for a Cobre case on HiGHS (WebAssembly) and simulates it.
 *
 * Result and event types are stable and mirror the Cobre output format so `src/output` can map
 * them 1:1.
 *
 * @module
 */
export type * from "./results.ts";
export type * from "./events.ts";
export { trainAndSimulate } from "./run.ts";
export type { RunOptions } from "./run.ts";
