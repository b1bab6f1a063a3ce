/**
 * `cobre/query-results` (Cobre MCP spec SS2.3): filtered rows of a simulation output table,
 * read column chunk by column chunk from the Hive-partitioned Parquet files.
 *
 * @module
 */
import { type JsonTable, queryResults, type ResultFilters } from "../../output/mod.ts";
import type { ToolDefinition } from "../types.ts";
import { existingOutputPath } from "./output_paths.ts";

type QueryResultsArgs = { output_dir: string; entity_type: string; filters?: ResultFilters };

/** The `cobre/query-results` tool. */
export const queryResultsTool: ToolDefinition<QueryResultsArgs, JsonTable> = {
  name: "cobre/query-results",
  title: "Query simulation results",
  description:
    "Reads a Cobre output directory's simulation results (hydros, thermals, buses, lines, costs) " +
    "and returns filtered rows as {columns, rows, total_rows, truncated}. Filter by entity_id " +
    "(id or name), stage_range and scenario_range (inclusive, as stored: 0-based), choose " +
    "columns, and cap rows with limit (default 1000, at most 10000). Only the requested " +
    "partitions and columns are read.",
  inputSchema: {
    type: "object",
    properties: {
      output_dir: { type: "string", description: "Absolute path to the output directory" },
      entity_type: {
        type: "string",
        enum: ["hydros", "thermals", "buses", "lines", "costs"],
        description: "Entity type to query",
      },
      filters: {
        type: "object",
        description: "Optional column filters",
        properties: {
          entity_id: {
            type: ["string", "array"],
            description: "Single entity ID or array of entity IDs",
          },
          stage_range: {
            type: "array",
            items: { type: "integer" },
            minItems: 2,
            maxItems: 2,
            description: "Inclusive [min_stage, max_stage] range",
          },
          scenario_range: {
            type: "array",
            items: { type: "integer" },
            minItems: 2,
            maxItems: 2,
            description: "Inclusive [min_scenario, max_scenario] range",
          },
          columns: {
            type: "array",
            items: { type: "string" },
            description: "Columns to include in the result. Defaults to all columns",
          },
          limit: {
            type: "integer",
            minimum: 1,
            maximum: 10000,
            default: 1000,
            description: "Maximum number of rows to return",
          },
        },
        additionalProperties: false,
      },
    },
    required: ["output_dir", "entity_type"],
    additionalProperties: false,
  },
  outputSchema: {
    type: "object",
    properties: {
      columns: {
        type: "array",
        items: { type: "string" },
        description: "Column names in the result",
      },
      rows: {
        type: "array",
        items: { type: "array", description: "Row values in column order" },
      },
      total_rows: {
        type: "integer",
        description: "Total rows matching the filter (before limit)",
      },
      truncated: { type: "boolean", description: "True if total_rows exceeds the limit" },
    },
    required: ["columns", "rows", "total_rows", "truncated"],
  },
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  timeoutMs: 30_000,
  access: "read",
  async handler(args, ctx) {
    const outputDir = await existingOutputPath(
      ctx.sandbox,
      args.output_dir,
      "Cobre output directory with simulation/",
    );
    return await queryResults(
      {
        outputDir,
        entity_type: args.entity_type,
        ...(args.filters !== undefined ? { filters: args.filters } : {}),
      },
      ctx.sandbox.access,
    );
  },
};
