/**
 * Mapping of HiGHS model status codes to the solver contract's status names.
 *
 * @module
 */
import type { LpStatus } from "./contract.ts";

/** HiGHS `modelStatus` codes (`highs.constants.modelStatus`) the engine distinguishes. */
const HIGHS_STATUS: Readonly<Record<number, LpStatus>> = {
  7: "optimal",
  8: "infeasible",
  9: "unbounded_or_infeasible",
  10: "unbounded",
  13: "time_limit",
  14: "iteration_limit",
};

/** Converts a HiGHS model status code; anything unexpected is an `error`. */
export function toLpStatus(code: number): LpStatus {
  return HIGHS_STATUS[code] ?? "error";
}
