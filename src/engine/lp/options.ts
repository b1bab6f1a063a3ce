/**
 * HiGHS options for repeated re-solves.
 *
 * Every solve after the first differs from the previous one only in a few bounds or in appended
 * cut rows, so the warm-started dual simplex needs few pivots. Measured on a 4ree stage LP with
 * 256 cuts (HiGHS 1.15 wasm, one solve = one opening):
 *
 * | start            | presolve off | presolve on | interior point (+crossover) |
 * | ---------------- | ------------ | ----------- | --------------------------- |
 * | cold             | 1.04 ms      | 2.86 ms     | 10.6 ms                     |
 * | installed basis  | 0.54 ms      | 0.50 ms     |                             |
 * | previous optimum | 0.09 ms      | 0.11 ms     |                             |
 *
 * With a basis HiGHS skips presolve anyway, and cold it costs 2.7x, so presolve stays off (as in
 * Cobre) except for the cold retry after a failure, where robustness matters more than speed.
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
