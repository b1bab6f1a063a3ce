/**
 * HiGHS options for repeated re-solves.
 *
 * Every solve after the first differs from the previous one only in a few bounds or in a few cut
 * rows, so the warm-started dual simplex needs few pivots (3.4 per run on 4ree). What a run
 * costs in this WebAssembly build (4ree stage LP with 17 structural rows):
 *
 * - about 50 us even when nothing changed, and 50-90 us more once a bound changed;
 * - about 30 us per pivot without cost perturbation, 50 us with it: HiGHS perturbs the costs at
 *   the start of every dual simplex run and, once optimal, removes the perturbation and cleans
 *   up, which on a nearly optimal warm basis is pure overhead;
 * - Devex pricing needed 31% fewer pivots than dual steepest edge on the same solve sequence.
 *
 * So perturbation is off and pricing is Devex (as Cobre configures HiGHS for the same warm
 * regime); presolve stays off (with a basis HiGHS skips it, cold it cost 2.7x). The cold retry
 * after a failure turns perturbation and presolve back on, where robustness matters more.
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
  // 1 = Devex dual pricing.
  simplex_dual_edge_weight_strategy: 1,
  dual_simplex_cost_perturbation_multiplier: 0,
};

/** One thread per model: parallelism comes from lanes on separate Workers. */
export const SERIAL_OPTIONS: Readonly<Record<string, string | number | boolean>> = {
  threads: 1,
  parallel: "off",
};

/** Options for the cold retry after a failed warm solve (restored to `RESOLVE_OPTIONS` after). */
export const RETRY_OPTIONS: Readonly<Record<string, string | number | boolean>> = {
  presolve: "on",
  // Perturbation guards against stalling on degenerate vertices.
  dual_simplex_cost_perturbation_multiplier: 1,
};
