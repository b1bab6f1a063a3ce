/**
 * MCP prompts of the Cobre server (spec SS4): guided workflows that name this server's tools and
 * resources as served, with every piece of text read from case or output files fenced as
 * untrusted data (`fenceUntrusted`).
 *
 * @example
 * ```ts
 * createCobreServer({ tools: cobreTools(), prompts: cobrePrompts(), sandbox, mode });
 * // prompts/get cobre/diagnose-convergence {"output_dir": "/data/case/output"}
 * ```
 *
 * @module
 */
import { compareRunsPrompt } from "./compare_runs.ts";
import type { PromptDefinition } from "./definition.ts";
import { diagnoseConvergencePrompt } from "./diagnose_convergence.ts";
import { explainResultsPrompt } from "./explain_results.ts";
import { setupStudyPrompt } from "./setup_study.ts";

export type {
  PromptArgumentSpec,
  PromptContext,
  PromptDefinition,
  PromptText,
  RenderedPrompt,
} from "./definition.ts";
export { MAX_PROMPT_DIRS, parseDirectoryList, parseList } from "./arguments.ts";
export { checkPromptArguments, promptsByName, promptsFeature } from "./feature.ts";
export { type ConvergenceSignals, convergenceSignals } from "./diagnose_convergence.ts";
export { EXPLAIN_ENTITY_TYPES, metricChoices, metricColumns } from "./explain_results.ts";
export { compareRunsPrompt, diagnoseConvergencePrompt, explainResultsPrompt, setupStudyPrompt };

/** The four prompts of spec SS4, in the spec's order. */
export function cobrePrompts(): PromptDefinition[] {
  return [setupStudyPrompt, diagnoseConvergencePrompt, compareRunsPrompt, explainResultsPrompt];
}
