/**
 * The tool schemas exactly as the Cobre MCP server spec (SS2) writes them, kept here
 * independently of `src/server/tools` so a drift in either shows up as a failing test. The
 * server's deliberate differences, each marked below: `$defs.ErrorRecord` added to output
 * schemas that refer to it; `cobre/inspect-policy`'s two mode schemas joined with `anyOf` (MCP
 * has one output schema per tool); `gap` and `ci_95` of `cobre/query-convergence` and
 * `final_gap` of `cobre/run` nullable, as real Cobre output writes them.
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

const range = (description: string) => ({
  type: "array",
  items: { type: "integer" },
  minItems: 2,
  maxItems: 2,
  description,
});

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
  "cobre/run": {
    input: {
      type: "object",
      properties: {
        case_dir: { type: "string", description: "Absolute path to the case directory" },
        phases: {
          type: "string",
          enum: ["training", "simulation", "both"],
          description: 'Execution phases to run. Defaults to "both"',
          default: "both",
        },
      },
      required: ["case_dir"],
      additionalProperties: false,
    },
    output: {
      type: "object",
      properties: {
        status: { type: "string", enum: ["completed", "partial"] },
        output_dir: { type: "string", description: "Absolute path to the output directory" },
        training: {
          type: ["object", "null"],
          properties: {
            iterations: { type: "integer" },
            final_lower_bound: { type: "number" },
            final_upper_bound: { type: "number" },
            final_gap: { type: ["number", "null"] }, // difference: nullable
            termination_reason: { type: "string" },
            total_cuts: { type: "integer" },
            wall_time_ms: { type: "integer" },
          },
          required: [
            "iterations",
            "final_lower_bound",
            "final_upper_bound",
            "final_gap",
            "termination_reason",
            "total_cuts",
            "wall_time_ms",
          ],
        },
        simulation: {
          type: ["object", "null"],
          properties: {
            scenarios: { type: "integer" },
            output_files: { type: "array", items: { type: "string" } },
            wall_time_ms: { type: "integer" },
          },
          required: ["scenarios", "output_files", "wall_time_ms"],
        },
      },
      required: ["status", "output_dir"],
    },
  },
  "cobre/query-results": {
    input: {
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
            stage_range: range("Inclusive [min_stage, max_stage] range"),
            scenario_range: range("Inclusive [min_scenario, max_scenario] range"),
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
    output: {
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
  },
  "cobre/query-convergence": {
    input: {
      type: "object",
      properties: {
        output_dir: { type: "string", description: "Absolute path to the output directory" },
        iteration_range: range(
          "Optional inclusive [min_iteration, max_iteration] range. Defaults to all iterations",
        ),
      },
      required: ["output_dir"],
      additionalProperties: false,
    },
    output: {
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
              ci_95: { type: ["number", "null"] }, // difference: nullable
              gap: { type: ["number", "null"] }, // difference: nullable
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
  },
  "cobre/inspect-policy": {
    input: {
      type: "object",
      properties: {
        policy_dir: {
          type: "string",
          description: "Absolute path to the policy directory (typically output_dir/policy)",
        },
        stage: {
          type: "integer",
          minimum: 1,
          description:
            "Optional stage index to inspect. If omitted, returns summary for all stages",
        },
      },
      required: ["policy_dir"],
      additionalProperties: false,
    },
    output: {
      type: "object",
      anyOf: [ // difference: the spec's summary-mode and stage-detail-mode schemas, joined
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
  },
  "cobre/compare-policies": {
    input: {
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
    output: {
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
  "cobre/export-results": {
    input: {
      type: "object",
      properties: {
        output_dir: { type: "string", description: "Absolute path to the output directory" },
        format: {
          type: "string",
          enum: ["csv", "json", "arrow"],
          description: "Target export format",
        },
        entity_type: {
          type: "string",
          enum: ["hydros", "thermals", "buses", "lines", "costs", "convergence"],
          description: "Entity type to export",
        },
        filters: {
          type: "object",
          description: "Optional filters (same schema as cobre/query-results filters)",
          properties: {
            entity_id: { type: ["string", "array"] },
            stage_range: { type: "array", items: { type: "integer" }, minItems: 2, maxItems: 2 },
            scenario_range: {
              type: "array",
              items: { type: "integer" },
              minItems: 2,
              maxItems: 2,
            },
          },
          additionalProperties: false,
        },
      },
      required: ["output_dir", "format", "entity_type"],
      additionalProperties: false,
    },
    output: {
      type: "object",
      properties: {
        file_path: { type: "string", description: "Absolute path to the exported file" },
        rows: { type: "integer", description: "Number of rows exported" },
        size_bytes: { type: "integer", description: "File size in bytes" },
      },
      required: ["file_path", "rows", "size_bytes"],
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
