/**
 * Stopping rules (`stopping-rules.md`): a discriminated union from the case config and one small
 * function per rule, combined with `stopping_mode` "any" (OR) or "all" (AND).
 *
 * The iteration limit is the mandatory safety bound: it stops training even in "all" mode, so a
 * rule that never fires (a stalled-but-noisy bound, the unsupported simulation rule) cannot make
 * training run forever.
 *
 * @module
 */
import type { StoppingRule } from "./case_types.ts";
import type { TerminationReason } from "./results.ts";

export type { StoppingRule };

/** Rules and how they combine. */
export interface StoppingConfig {
  rules: StoppingRule[];
  mode: "any" | "all";
}

/** What the rules look at after an iteration completes. */
export interface StoppingState {
  /** Completed iterations (1-based count). */
  iteration: number;
  elapsedMs: number;
  /** Lower bound after every completed iteration, oldest first. */
  lowerBounds: readonly number[];
}

/** `iteration_limit`: stop once `limit` iterations have completed. */
export function iterationLimitReached(
  rule: Extract<StoppingRule, { type: "iteration_limit" }>,
  state: StoppingState,
): boolean {
  return state.iteration >= rule.limit;
}

/** `time_limit`: stop once the wall-clock time reaches `seconds`. */
export function timeLimitReached(
  rule: Extract<StoppingRule, { type: "time_limit" }>,
  state: StoppingState,
): boolean {
  return state.elapsedMs >= rule.seconds * 1000;
}

/**
 * `bound_stalling`: stop when the lower bound moved less than `tolerance` (relative to
 * `max(1, |lb|)`) over the last `iterations` iterations, i.e. `|lb_k - lb_{k-iterations}|`.
 */
export function boundStalled(
  rule: Extract<StoppingRule, { type: "bound_stalling" }>,
  state: StoppingState,
): boolean {
  const history = state.lowerBounds;
  const k = history.length - 1;
  const past = k - rule.iterations;
  if (past < 0) return false;
  const current = history[k]!;
  const delta = (current - history[past]!) / Math.max(1, Math.abs(current));
  return Math.abs(delta) < rule.tolerance;
}

/** Whether one rule triggers. The simulation-based rule is not implemented and never triggers. */
export function ruleTriggered(rule: StoppingRule, state: StoppingState): boolean {
  switch (rule.type) {
    case "iteration_limit":
      return iterationLimitReached(rule, state);
    case "time_limit":
      return timeLimitReached(rule, state);
    case "bound_stalling":
      return boundStalled(rule, state);
    case "simulation":
      return false;
  }
}

/** Combines the rules; `reason` names the rule that stopped training. */
export function evaluateStopping(
  config: StoppingConfig,
  state: StoppingState,
): { stop: boolean; reason: TerminationReason | null } {
  const triggered = config.rules.filter((rule) => ruleTriggered(rule, state));
  const stop = config.mode === "any"
    ? triggered.length > 0
    : triggered.length > 0 && triggered.length === config.rules.length;
  if (stop) return { stop, reason: reasonOf(triggered[0]!) };
  const safety = triggered.find((rule) => rule.type === "iteration_limit");
  if (safety !== undefined) return { stop: true, reason: "iteration_limit" };
  return { stop: false, reason: null };
}

function reasonOf(rule: StoppingRule): TerminationReason {
  return rule.type === "simulation" ? "iteration_limit" : rule.type;
}

/** The configured iteration limit (the smallest when several are given), or null. */
export function maxIterations(config: StoppingConfig): number | null {
  const limits = config.rules.flatMap((r) => r.type === "iteration_limit" ? [r.limit] : []);
  return limits.length === 0 ? null : Math.min(...limits);
}
