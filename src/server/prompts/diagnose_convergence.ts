/**
 * `cobre/diagnose-convergence` (spec SS4.3): reads the run's convergence history, measures a few
 * signals (lower-bound progress, upper-bound noise, where the gap stands against the upper
 * bound's confidence interval) and asks the agent to diagnose stalling and propose
 * configuration changes. The excerpt and the termination reason come from files: fenced.
 *
 * @module
 */
import { type ConvergenceHistory, queryConvergence } from "../../output/mod.ts";
import { expandTemplate, outputConvergenceResource } from "../resources/mod.ts";
import { resolveOutputDir } from "./arguments.ts";
import type { PromptDefinition } from "./definition.ts";
import { fenceUntrusted } from "../../security/mod.ts";

/** Iterations shown in the excerpt (the last ones). */
const EXCERPT_ITERATIONS = 10;
/** Window of the trend signals. */
const TREND_WINDOW = 5;

/** Numbers the prompt states about a history; null where there are too few iterations. */
export interface ConvergenceSignals {
  iterations: number;
  /** Relative lower-bound gain over the last `window` iterations: (LBₙ − LBₙ₋ₖ) / max(1, |LBₙ|). */
  lower_bound_gain: number | null;
  /** Coefficient of variation of the upper bound over the last `window` iterations. */
  upper_bound_cv: number | null;
  window: number;
  final_gap: number | null;
  /** True when the final lower bound lies inside the upper bound's 95% interval. */
  lower_bound_within_ci: boolean | null;
}

/** Measures the signals of `history` (pure, for tests). */
export function convergenceSignals(history: ConvergenceHistory): ConvergenceSignals {
  const its = history.iterations;
  const last = its.at(-1);
  const window = Math.min(TREND_WINDOW, its.length - 1);
  let gain: number | null = null;
  let cv: number | null = null;
  if (last !== undefined && window >= 1) {
    const before = its[its.length - 1 - window];
    if (before !== undefined) {
      gain = (last.lower_bound - before.lower_bound) / Math.max(1, Math.abs(last.lower_bound));
    }
    const uppers = its.slice(-window - 1).map((it) => it.upper_bound);
    const mean = uppers.reduce((a, b) => a + b, 0) / uppers.length;
    const variance = uppers.reduce((a, b) => a + (b - mean) ** 2, 0) / uppers.length;
    cv = mean === 0 ? null : Math.sqrt(variance) / Math.abs(mean);
  }
  return {
    iterations: its.length,
    lower_bound_gain: gain,
    upper_bound_cv: cv,
    window: Math.max(window, 0),
    final_gap: last?.gap ?? null,
    lower_bound_within_ci: last === undefined || last.ci_95 === null
      ? null
      : last.lower_bound >= last.upper_bound - last.ci_95,
  };
}

function percent(value: number | null): string {
  return value === null ? "n/a" : `${(value * 100).toPrecision(3)}%`;
}

/** The `cobre/diagnose-convergence` prompt. */
export const diagnoseConvergencePrompt: PromptDefinition = {
  name: "cobre/diagnose-convergence",
  title: "Diagnose SDDP convergence",
  description: "Analyses a training run's convergence (lower bound plateau, upper bound " +
    "volatility, gap trajectory, termination reason) and proposes configuration changes.",
  arguments: [{
    name: "output_dir",
    description: "Absolute path to the output directory of a completed training run",
    required: true,
  }],
  async render(args, ctx) {
    const given = args.output_dir ?? "";
    const outputDir = await resolveOutputDir(ctx.sandbox, given);
    const history = await queryConvergence({ outputDir }, ctx.sandbox.access);
    const signals = convergenceSignals(history);
    const tool = ctx.tool;
    const dir = JSON.stringify(given);
    const rerun = ctx.serves("cobre/run") && ctx.mode === "read-write"
      ? `To test a change, write it to the case's config.json and train again with \`${
        tool("cobre/run")
      }\`, then compare the two runs.`
      : "This server cannot train: present the changes as a config.json patch to apply and rerun.";
    const instructions = [
      `Diagnose the convergence of the SDDP training run in output directory ${dir}.`,
      "",
      `1. Load the history with \`${tool("cobre/query-convergence")}\` {"output_dir": ${dir}}` +
      " (per iteration: lower_bound, upper_bound, upper_bound_std, ci_95, gap, times). The raw " +
      `log is the resource ${
        expandTemplate(outputConvergenceResource.uriTemplate, { output_dir: given })
      }.`,
      "2. Look for stalling: a lower bound that gains almost nothing over many iterations " +
      "while the gap stays open; an upper bound that jumps around (few forward passes give a " +
      "noisy estimate); a gap that shrinks only because the upper bound fell by chance.",
      "3. Read the termination reason: iteration_limit or time_limit with an open gap means " +
      "training stopped early; bound_stalling means the lower bound plateaued; a converged run " +
      "should have its lower bound inside the upper bound's 95% interval.",
      `4. Check the policy with \`${tool("cobre/inspect-policy")}\` {"policy_dir": ${dir}}: ` +
      "cuts per stage, and active cuts if cut selection prunes them.",
      "5. Propose concrete changes to config.json and say why each helps: " +
      "training.stopping_rules (iteration_limit.limit, time_limit.seconds, " +
      "bound_stalling.iterations and tolerance), training.forward_passes (more passes give a " +
      "less noisy upper bound), training.cut_selection (method, threshold, " +
      "max_active_per_stage) when the LPs grow large, and stages[].risk_measure (CVaR raises " +
      "costs and changes what the bounds mean).",
      rerun,
      "",
      "Measured on this run by the server:",
      `- iterations: ${signals.iterations} (history total ${history.total_iterations})`,
      `- lower bound gain over the last ${signals.window} iterations: ${
        percent(signals.lower_bound_gain)
      } of its value`,
      `- upper bound coefficient of variation over the same window: ${
        percent(signals.upper_bound_cv)
      }`,
      `- final gap: ${percent(signals.final_gap)}; lower bound inside the upper bound's 95% ` +
      `interval: ${
        signals.lower_bound_within_ci === null
          ? "n/a"
          : signals.lower_bound_within_ci
          ? "yes"
          : "no"
      }`,
      "",
      "The next message holds the run's status, termination reason and last iterations as read " +
      "from its files.",
    ];
    const excerpt = {
      status: history.status,
      termination_reason: history.termination_reason,
      last_iterations: history.iterations.slice(-EXCERPT_ITERATIONS),
    };
    return {
      description: "Diagnose the convergence of one training run and propose config changes",
      messages: [
        { role: "user", text: instructions.join("\n") },
        {
          role: "user",
          text: fenceUntrusted(
            `convergence excerpt read from ${given}/training (convergence.parquet and metadata)`,
            JSON.stringify(excerpt, null, 1),
          ),
        },
      ],
    };
  },
};
