/**
 * `cobre/inspect-policy` (Cobre MCP spec SS2.5): a JSON summary of a trained policy's cuts, or
 * one stage in detail. The spec gives one output schema per mode; MCP allows one per tool, so
 * the listed schema accepts either (`anyOf` of the two, each copied from the spec).
 *
 * @module
 */
import { inspectPolicy, type PolicyStageDetail, type PolicySummary } from "../../output/mod.ts";
import type { ToolDefinition } from "../types.ts";
import { existingOutputPath } from "./output_paths.ts";

type InspectPolicyArgs = { policy_dir: string; stage?: number };

/** The `cobre/inspect-policy` tool. */
export const inspectPolicyTool: ToolDefinition<
  InspectPolicyArgs,
  PolicySummary | PolicyStageDetail
> = {
  name: "cobre/inspect-policy",
  title: "Inspect a trained policy",
  description:
    "Reads the FlatBuffers cut files of a Cobre policy directory (output_dir/policy; the output " +
    "directory itself is accepted too). Without stage: stage count, total cuts, state dimension " +
    "and cuts per stage. With a 1-based stage: that stage's cut count, intercepts and the first " +
    "10 cuts' coefficient vectors.",
  inputSchema: {
    type: "object",
    properties: {
      policy_dir: {
        type: "string",
        description: "Absolute path to the policy directory (typically output_dir/policy)",
      },
      stage: {
        type: "integer",
        minimum: 1,
        description: "Optional stage index to inspect. If omitted, returns summary for all stages",
      },
    },
    required: ["policy_dir"],
    additionalProperties: false,
  },
  outputSchema: {
    type: "object",
    anyOf: [
      {
        type: "object",
        properties: {
          stages: { type: "integer" },
          total_cuts: { type: "integer" },
          state_dimension: { type: "integer" },
          cuts_per_stage: {
            type: "array",
            items: { type: "integer" },
            description: "Number of cuts at each stage",
          },
        },
        required: ["stages", "total_cuts", "state_dimension", "cuts_per_stage"],
      },
      {
        type: "object",
        properties: {
          stage: { type: "integer" },
          cuts: { type: "integer" },
          state_dimension: { type: "integer" },
          intercepts: {
            type: "array",
            items: { type: "number" },
            description: "Cut intercept values (alpha)",
          },
          coefficients_sample: {
            type: "array",
            items: { type: "array", items: { type: "number" } },
            description: "First 10 cuts' coefficient vectors (beta), for inspection",
          },
          coefficients_truncated: {
            type: "boolean",
            description: "True if there are more than 10 cuts",
          },
        },
        required: ["stage", "cuts", "state_dimension", "intercepts"],
      },
    ],
  },
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  timeoutMs: 10_000,
  access: "read",
  async handler(args, ctx) {
    const policyDir = await existingOutputPath(
      ctx.sandbox,
      args.policy_dir,
      "Cobre policy directory with cuts/stage_NNN.bin",
    );
    return await inspectPolicy(
      { policyDir, ...(args.stage !== undefined ? { stage: args.stage } : {}) },
      ctx.sandbox.access,
    );
  },
};
