/**
 * The tool schemas exactly as the Cobre MCP server spec (SS2) writes them, kept here
 * independently of `src/server/tools` so a drift in either shows up as a failing test. The
 * server adds only `$defs.ErrorRecord` to output schemas that refer to it.
 *
 * @module
 */

const errorRecords = { type: "array", items: { $ref: "#/$defs/ErrorRecord" } };
const caseDirInput = {
  type: "object",
  properties: {
    case_dir: { type: "string", description: "Absolute path to the case directory" },
  },
  required: ["case_dir"],
  additionalProperties: false,
};

/** Spec input and output schema per tool name. */
export const SPEC_SCHEMAS: Record<string, { input: object; output: object }> = {
  "cobre/validate": {
    input: caseDirInput,
    output: {
      type: "object",
      properties: {
        valid: { type: "boolean" },
        errors: errorRecords,
        warnings: errorRecords,
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
    },
  },
  "cobre/inspect-case": {
    input: caseDirInput,
    output: {
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
          description:
            "Whether scenarios are generated from PAR model or loaded from external file",
        },
        files_present: {
          type: "array",
          items: { type: "string" },
          description: "List of input files found in the case directory",
        },
      },
      required: ["config", "entities", "stages"],
    },
  },
  "cobre/list-scenarios": {
    input: caseDirInput,
    output: {
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
  },
  "cobre/get-config-schema": {
    input: { type: "object", properties: {}, additionalProperties: false },
    output: {
      type: "object",
      properties: {
        schema: { type: "object", description: "Complete JSON Schema for config.json" },
      },
      required: ["schema"],
    },
  },
};
