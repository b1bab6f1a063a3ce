/**
 * `cobre/list-scenarios` (Cobre MCP spec SS2.8): scenario source, count, coverage and PAR model
 * summary, reading single Parquet columns rather than the scenario data.
 *
 * @module
 */
import { listScenarios, type ScenarioListing } from "../../case/mod.ts";
import { CASE_DIR_INPUT_SCHEMA, type CaseDirArgs } from "../schemas.ts";
import type { ToolDefinition } from "../types.ts";

/** The `cobre/list-scenarios` tool. */
export const listScenariosTool: ToolDefinition<CaseDirArgs, ScenarioListing> = {
  name: "cobre/list-scenarios",
  title: "List a case's scenarios",
  description:
    "Returns scenario metadata for a Cobre case without loading the scenario data: whether " +
    "scenarios come from a PAR model or an external file, how many there are, the number of " +
    "stages and of stochastic entities (hydros with an inflow model), and for PAR models the " +
    "maximum AR order, number of seasons and correlation groups.",
  inputSchema: CASE_DIR_INPUT_SCHEMA,
  outputSchema: {
    type: "object",
    properties: {
      scenario_source: {
        type: "string",
        enum: ["par", "external"],
        description: "How scenarios are generated",
      },
      count: {
        type: "integer",
        description: "Number of scenarios (from config or external file)",
      },
      stages: { type: "integer", description: "Number of stages" },
      entities: {
        type: "integer",
        description: "Number of stochastic entities (hydros with inflow model)",
      },
      par_model: {
        type: ["object", "null"],
        description: "PAR model summary (present when scenario_source is 'par')",
        properties: {
          max_ar_order: { type: "integer" },
          seasons: { type: "integer" },
          correlation_groups: { type: "integer" },
        },
      },
    },
    required: ["scenario_source", "count", "stages", "entities"],
  },
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  timeoutMs: 10_000,
  access: "read",
  async handler(args, ctx) {
    const caseDir = await ctx.sandbox.resolve(args.case_dir, "dir");
    return await listScenarios(caseDir, ctx.sandbox.access);
  },
};
