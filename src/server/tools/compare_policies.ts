/**
 * `cobre/compare-policies` (Cobre MCP spec SS2.6): structural and convergence metrics of two or
 * more policies side by side, with deltas when exactly two compatible policies are compared.
 *
 * @module
 */
import { comparePolicies, type PolicyComparison } from "../../output/mod.ts";
import type { ToolDefinition } from "../types.ts";
import { existingOutputPath } from "./output_paths.ts";

type ComparePoliciesArgs = { policy_dirs: string[]; metrics: string[] };

/** The `cobre/compare-policies` tool. */
export const comparePoliciesTool: ToolDefinition<ComparePoliciesArgs, PolicyComparison> = {
  name: "cobre/compare-policies",
  title: "Compare trained policies",
  description:
    "Compares two or more Cobre policy directories: stages, total cuts, state dimension and, " +
    "when the runs' convergence history is available, final lower and upper bounds, gap and " +
    "iterations. compatible says whether stage counts and state dimensions agree; deltas are " +
    "given when exactly two compatible policies are compared.",
  inputSchema: {
    type: "object",
    properties: {
      policy_dirs: {
        type: "array",
        items: { type: "string" },
        minItems: 2,
        description: "Absolute paths to policy directories to compare",
      },
      metrics: {
        type: "array",
        items: {
          type: "string",
          enum: ["convergence", "cut_counts", "state_dimension", "all"],
        },
        default: ["all"],
        description: "Metrics to compare. Defaults to all",
      },
    },
    required: ["policy_dirs"],
    additionalProperties: false,
  },
  outputSchema: {
    type: "object",
    properties: {
      policies: {
        type: "array",
        items: {
          type: "object",
          properties: {
            policy_dir: { type: "string" },
            stages: { type: "integer" },
            total_cuts: { type: "integer" },
            state_dimension: { type: "integer" },
            final_lower_bound: { type: ["number", "null"] },
            final_upper_bound: { type: ["number", "null"] },
            final_gap: { type: ["number", "null"] },
            iterations: { type: ["integer", "null"] },
          },
          required: ["policy_dir", "stages", "total_cuts", "state_dimension"],
        },
      },
      compatible: {
        type: "boolean",
        description: "True if all policies have the same stage count and state dimension",
      },
      deltas: {
        type: ["object", "null"],
        description:
          "Pairwise delta metrics (only present when exactly 2 policies are compared and compatible)",
        properties: {
          lb_delta: { type: "number" },
          lb_delta_pct: { type: "number" },
          ub_delta: { type: "number" },
          ub_delta_pct: { type: "number" },
          cut_count_delta: { type: "integer" },
        },
      },
    },
    required: ["policies", "compatible"],
  },
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  timeoutMs: 30_000,
  access: "read",
  async handler(args, ctx) {
    const policyDirs: string[] = [];
    for (const dir of args.policy_dirs) {
      policyDirs.push(
        await existingOutputPath(ctx.sandbox, dir, "Cobre policy directory with cuts/"),
      );
    }
    const comparison = await comparePolicies(
      { policyDirs, metrics: args.metrics },
      ctx.sandbox.access,
    );
    // Report each policy under the path the agent gave, not its canonical form.
    return {
      ...comparison,
      policies: comparison.policies.map((policy, i) => ({
        ...policy,
        policy_dir: args.policy_dirs[i] ?? policy.policy_dir,
      })),
    };
  },
};
