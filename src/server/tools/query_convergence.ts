/**
 * `cobre/query-convergence` (Cobre MCP spec SS2.4): the training convergence history of an
 * output directory, one record per iteration. The output schema is the spec's except that
 * `gap` and `ci_95` may be null, as they are in real Cobre output.
 *
 * @module
 */
import { type ConvergenceHistory, queryConvergence } from "../../output/mod.ts";
import type { ToolDefinition } from "../types.ts";
import { existingOutputPath } from "./output_paths.ts";

type QueryConvergenceArgs = { output_dir: string; iteration_range?: number[] };

/** The `cobre/query-convergence` tool. */
export const queryConvergenceTool: ToolDefinition<QueryConvergenceArgs, ConvergenceHistory> = {
  name: "cobre/query-convergence",
  title: "Query training convergence",
  description:
    "Reads training/convergence.parquet of a Cobre output directory and returns the history " +
    "per iteration: lower bound, upper bound (mean, std, 95% half-width), relative gap and " +
    "timings, with the total iteration count and the termination reason. Optionally limited to " +
    "an inclusive [min_iteration, max_iteration] range.",
  inputSchema: {
    type: "object",
    properties: {
      output_dir: { type: "string", description: "Absolute path to the output directory" },
      iteration_range: {
        type: "array",
        items: { type: "integer" },
        minItems: 2,
        maxItems: 2,
        description:
          "Optional inclusive [min_iteration, max_iteration] range. Defaults to all iterations",
      },
    },
    required: ["output_dir"],
    additionalProperties: false,
  },
  outputSchema: {
    type: "object",
    properties: {
      iterations: {
        type: "array",
        items: {
          type: "object",
          properties: {
            iteration: { type: "integer" },
            lower_bound: { type: "number" },
            upper_bound: { type: "number" },
            upper_bound_std: { type: "number" },
            // Nullable, unlike the spec's text: real Cobre output records no gap while the lower
            // bound is not positive, and no confidence interval without forward passes.
            ci_95: { type: ["number", "null"] },
            gap: { type: ["number", "null"] },
            wall_time_ms: { type: "integer" },
            iteration_time_ms: { type: "integer" },
          },
          required: [
            "iteration",
            "lower_bound",
            "upper_bound",
            "upper_bound_std",
            "ci_95",
            "gap",
            "wall_time_ms",
            "iteration_time_ms",
          ],
        },
      },
      total_iterations: { type: "integer" },
      termination_reason: { type: "string" },
    },
    required: ["iterations", "total_iterations", "termination_reason"],
  },
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  timeoutMs: 10_000,
  access: "read",
  async handler(args, ctx) {
    const outputDir = await existingOutputPath(
      ctx.sandbox,
      args.output_dir,
      "Cobre output directory with training/convergence.parquet",
    );
    return await queryConvergence(
      {
        outputDir,
        ...(args.iteration_range !== undefined ? { iteration_range: args.iteration_range } : {}),
      },
      ctx.sandbox.access,
    );
  },
};
