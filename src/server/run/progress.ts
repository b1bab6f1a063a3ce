/**
 * Engine events as MCP progress (Cobre MCP spec SS6): one update per training iteration and one
 * per simulation batch, each with a readable `message` and the spec's `metadata` object.
 *
 * MCP requires `progress` to increase with every notification, across the whole call. Training
 * reports the iteration number (SS6.2); simulation continues on the same scale, after the last
 * completed iteration: `progress = iterations + scenarios_complete`, `total = iterations +
 * scenarios_total`. The spec's own simulation numbers stay in `metadata`. During training `total`
 * is the iteration limit when the stopping rules guarantee one, else absent (SS6.2: unknown).
 *
 * @module
 */
import type { StoppingRule } from "../../case/mod.ts";
import type { JsonValue } from "../../common/mod.ts";
import type { ConvergenceUpdate, EngineEvent, SimulationProgress } from "../../engine/mod.ts";
import type { ProgressUpdate } from "../types.ts";

/**
 * The iteration count training cannot exceed, or null when no rule guarantees one: with
 * `stopping_mode: "any"` the smallest iteration limit; with `"all"` only a lone iteration limit
 * (other rules must also hold, so the limit alone does not stop training).
 */
export function iterationBound(rules: readonly StoppingRule[], mode: "any" | "all"): number | null {
  const limits = rules.flatMap((rule) => rule.type === "iteration_limit" ? [rule.limit] : []);
  if (limits.length === 0) return null;
  if (mode === "all" && limits.length !== rules.length) return null;
  return mode === "all" ? Math.max(...limits) : Math.min(...limits);
}

/** `1.23e6`-style numbers for messages: short, and readable at any magnitude. */
export function shortNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e4 || magnitude < 1e-2) return value.toExponential(2).replace("e+", "e");
  return Number(value.toPrecision(3)).toString();
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Maps one run's engine events to progress updates on a single increasing scale. */
export class RunProgressScale {
  readonly #iterationTotal: number | null;
  #iterations = 0;
  #last = 0;

  /** `iterationTotal`: see `iterationBound`. */
  constructor(iterationTotal: number | null) {
    this.#iterationTotal = iterationTotal;
  }

  /** The update for `event`, or null when it would not advance the scale (never sent). */
  map(event: EngineEvent): ProgressUpdate | null {
    const update = event.type === "convergence" ? this.#training(event) : this.#simulation(event);
    if (update.progress <= this.#last) return null;
    this.#last = update.progress;
    return update;
  }

  #training(event: ConvergenceUpdate): ProgressUpdate {
    this.#iterations = Math.max(this.#iterations, event.iteration);
    const total = this.#iterationTotal;
    const gap = event.gap === null ? "gap n/a" : `gap ${(event.gap * 100).toFixed(2)}%`;
    const metadata: Record<string, JsonValue> = {
      phase: "training",
      iteration: event.iteration,
      lower_bound: event.lower_bound,
      upper_bound: event.upper_bound,
      upper_bound_std: event.upper_bound_std,
      ci_95: event.ci_95,
      gap: event.gap,
      wall_time_ms: Math.round(event.wall_time_ms),
      iteration_time_ms: Math.round(event.iteration_time_ms),
    };
    return {
      progress: event.iteration,
      total,
      message: `iteration ${event.iteration}${total === null ? "" : `/${total}`} · LB ${
        shortNumber(event.lower_bound)
      } · UB ${shortNumber(event.upper_bound)} · ${gap}`,
      metadata,
    };
  }

  #simulation(event: SimulationProgress): ProgressUpdate {
    const offset = this.#iterations;
    return {
      progress: offset + event.scenarios_complete,
      total: offset + event.scenarios_total,
      message: `simulation ${event.scenarios_complete}/${event.scenarios_total} scenarios · ${
        seconds(event.elapsed_ms)
      }`,
      metadata: {
        phase: "simulation",
        scenarios_complete: event.scenarios_complete,
        scenarios_total: event.scenarios_total,
        elapsed_ms: Math.round(event.elapsed_ms),
      },
    };
  }
}
