/**
 * `cobre/inspect-case` (Cobre MCP spec SS2.7): a quick summary of a case (parsed config, entity
 * counts, stages, scenario source, files present) without the full validation pipeline.
 *
 * @module
 */
import { type CaseInspection, inspectCase } from "../../case/mod.ts";
import { CASE_DIR_INPUT_SCHEMA, type CaseDirArgs } from "../schemas.ts";
import type { ToolDefinition } from "../types.ts";

/** The `cobre/inspect-case` tool. */
export const inspectCaseTool: ToolDefinition<CaseDirArgs, CaseInspection> = {
  name: "cobre/inspect-case",
  title: "Inspect a Cobre case",
  description:
    "Summarises a Cobre case directory without validating it: the parsed config.json, how many " +
    "hydros, thermals, buses and lines it has, the number of stages, whether scenarios come from " +
    "a PAR model or an external file, and which input files are present. Use it first to learn " +
    "a case's structure; use cobre/validate to check it.",
  inputSchema: CASE_DIR_INPUT_SCHEMA,
  outputSchema: {
    type: "object",
    properties: {
      config: { type: "object", description: "Parsed config.json contents" },
      entities: {
        type: "object",
        properties: {
          hydros: { type: "integer" },
          thermals: { type: "integer" },
          buses: { type: "integer" },
          lines: { type: "integer" },
        },
        required: ["hydros", "thermals", "buses", "lines"],
      },
      stages: { type: "integer" },
      scenario_source: {
        type: "string",
        enum: ["par", "external"],
        description: "Whether scenarios are generated from PAR model or loaded from external file",
      },
      files_present: {
        type: "array",
        items: { type: "string" },
        description: "List of input files found in the case directory",
      },
    },
    required: ["config", "entities", "stages"],
  },
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  timeoutMs: 10_000,
  access: "read",
  async handler(args, ctx) {
    const caseDir = await ctx.sandbox.resolve(args.case_dir, "dir");
    return await inspectCase(caseDir, ctx.sandbox.access);
  },
};
