/**
 * `cobre/validate` (Cobre MCP spec SS2.1): the 5-layer validation of a case directory, without
 * running the solver. Schemas are the spec's, with `$defs/ErrorRecord` added so they resolve.
 *
 * @module
 */
import { validateCase, type ValidationReport } from "../../case/mod.ts";
import { CASE_DIR_INPUT_SCHEMA, type CaseDirArgs, withErrorRecordDefs } from "../schemas.ts";
import type { ToolDefinition } from "../types.ts";

/** The `cobre/validate` tool. */
export const validateTool: ToolDefinition<CaseDirArgs, ValidationReport> = {
  name: "cobre/validate",
  title: "Validate a Cobre case",
  description:
    "Runs the 5-layer validation pipeline (structure, schema, references, dimensions, semantics) " +
    "on a Cobre case directory without running the solver. Returns every error and warning as " +
    "{kind, message, context, suggestion} records; valid is true when there are no errors.",
  inputSchema: CASE_DIR_INPUT_SCHEMA,
  outputSchema: withErrorRecordDefs({
    type: "object",
    properties: {
      valid: { type: "boolean" },
      errors: { type: "array", items: { $ref: "#/$defs/ErrorRecord" } },
      warnings: { type: "array", items: { $ref: "#/$defs/ErrorRecord" } },
      summary: {
        type: "object",
        properties: {
          files_checked: { type: "integer" },
          entities_validated: { type: "integer" },
          layers_completed: { type: "integer" },
          error_count: { type: "integer" },
          warning_count: { type: "integer" },
        },
        required: [
          "files_checked",
          "entities_validated",
          "layers_completed",
          "error_count",
          "warning_count",
        ],
      },
    },
    required: ["valid", "errors", "warnings", "summary"],
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  timeoutMs: 60_000,
  access: "read",
  async handler(args, ctx) {
    const caseDir = await ctx.sandbox.resolve(args.case_dir, "dir");
    return await validateCase(caseDir, ctx.sandbox.access);
  },
};
