/**
 * Small LP solver layer on HiGHS (WebAssembly). It knows nothing of SDDP or Cobre; see
 * `contract.ts` for what persists between solves and what a caller does on failure.
 *
 * @module
 */
export * from "./contract.ts";
export { loadHighsRuntime } from "./highs_runtime.ts";
export type { HighsRuntime } from "./highs_runtime.ts";
export { PersistentHighsSolver } from "./highs_solver.ts";
export { RebuildingHighsSolver } from "./rebuild_solver.ts";
export { RESOLVE_OPTIONS } from "./options.ts";
export type { HighsNative } from "./highs_native.ts";

import type { HighsRuntime } from "./highs_runtime.ts";
import type { LpSolver } from "./contract.ts";
import { PersistentHighsSolver } from "./highs_solver.ts";
import { RebuildingHighsSolver } from "./rebuild_solver.ts";

/** How stage LPs are kept between solves: one persistent model, or rebuilt for every solve. */
export type LpMode = "persistent" | "rebuild";

/** Creates a solver of the requested mode on a loaded runtime. */
export function createLpSolver(highs: HighsRuntime, mode: LpMode = "persistent"): LpSolver {
  return mode === "persistent"
    ? new PersistentHighsSolver(highs)
    : new RebuildingHighsSolver(highs);
}
