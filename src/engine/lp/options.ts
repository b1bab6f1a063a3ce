/**
 * HiGHS options for repeated re-solves.
 *
 * Every solve after the first differs from the previous one only in a few bounds or in appended
 * cut rows, so the warm-started dual simplex needs few pivots. Presolve would rebuild a reduced
 * model on every call and throw the warm basis away, so it stays off (as Cobre does); it is only
 * switched on for the cold retry after a failure.
 *
 * @module
 */

/** Option values applied to every model the engine creates. */
export const RESOLVE_OPTIONS: Readonly<Record<string, string | number | boolean>> = {
  output_flag: false,
  solver: "simplex",
  // 1 = serial dual simplex: re-optimises after bound/RHS changes without losing dual feasibility.
  simplex_strategy: 1,
  presolve: "off",
  // Deterministic pivoting for bit-identical reruns.
  random_seed: 0,
};

/** Options for the cold retry after a failed warm solve. */
export const RETRY_OPTIONS: Readonly<Record<string, string | number | boolean>> = {
  presolve: "on",
};
