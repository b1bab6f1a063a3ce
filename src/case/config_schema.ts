/**
 * JSON Schema (draft 2020-12) for `config.json`, written from the Cobre configuration reference
 * (every section and option it documents, with types, enums, defaults, minimums). Served by
 * `cobre/get-config-schema` so agents can generate and check configs before calling validate.
 *
 * Sections are closed (`additionalProperties: false`) so a misspelt option is caught instead of
 * silently ignored; `validateCase` applies the same rule.
 *
 * @module
 */

type Schema = Record<string, unknown>;

const integer = (description: string, minimum: number | null, extra: Schema = {}): Schema => ({
  type: "integer",
  ...(minimum === null ? {} : { minimum }),
  description,
  ...extra,
});

const number = (description: string, extra: Schema = {}): Schema => ({
  type: "number",
  description,
  ...extra,
});
const boolean = (description: string, defaultValue: boolean | null): Schema => ({
  type: defaultValue === null ? ["boolean", "null"] : "boolean",
  default: defaultValue,
  description,
});

const SCHEME: Schema = {
  type: "object",
  properties: {
    scheme: {
      enum: ["in_sample", "out_of_sample", "historical", "external"],
      default: "in_sample",
      description:
        "in_sample reuses the opening tree; out_of_sample draws fresh noise; historical replays inflow history (inflow only); external reads external scenario files.",
    },
  },
  required: ["scheme"],
  additionalProperties: false,
};

const SCENARIO_SOURCE: Schema = {
  type: ["object", "null"],
  default: null,
  description: "Per-class sampling scheme of the forward pass. Absent: every class uses in_sample.",
  properties: {
    seed: {
      type: ["integer", "null"],
      default: null,
      description:
        "Forward-pass seed; required when any class uses out_of_sample, historical or external.",
    },
    inflow: { ...SCHEME, description: "Sampling scheme for hydro inflows." },
    load: { ...SCHEME, description: "Sampling scheme for bus loads (historical is not allowed)." },
    ncs: {
      ...SCHEME,
      description: "Sampling scheme for non-controllable sources (historical is not allowed).",
    },
    historical_years: {
      description:
        "Years eligible as inflow replay windows: a list, or an inclusive range. Only with the historical scheme.",
      oneOf: [
        { type: "array", items: { type: "integer" } },
        {
          type: "object",
          properties: { from: { type: "integer" }, to: { type: "integer" } },
          required: ["from", "to"],
          additionalProperties: false,
        },
        { type: "null" },
      ],
      default: null,
    },
  },
  additionalProperties: false,
};

const STOPPING_RULE: Schema = {
  type: "object",
  required: ["type"],
  properties: {
    type: { enum: ["iteration_limit", "time_limit", "bound_stalling", "simulation"] },
  },
  oneOf: [
    {
      description: "Stop after a fixed number of iterations (mandatory safety bound).",
      properties: {
        type: { const: "iteration_limit" },
        limit: integer("Maximum number of SDDP iterations.", 1),
      },
      required: ["type", "limit"],
      additionalProperties: false,
    },
    {
      description: "Stop when the wall-clock budget is exhausted.",
      properties: {
        type: { const: "time_limit" },
        seconds: number("Maximum training time in seconds.", { exclusiveMinimum: 0 }),
      },
      required: ["type", "seconds"],
      additionalProperties: false,
    },
    {
      description:
        "Stop when the relative lower-bound improvement over a window falls below a tolerance.",
      properties: {
        type: { const: "bound_stalling" },
        iterations: integer("Window size in iterations.", 1),
        tolerance: number("Relative improvement threshold.", { minimum: 0 }),
      },
      required: ["type", "iterations", "tolerance"],
      additionalProperties: false,
    },
    {
      description:
        "Stop when both the bound and a Monte Carlo policy cost estimate have stabilised.",
      properties: {
        type: { const: "simulation" },
        replications: integer("Monte Carlo forward simulations per check.", 1),
        period: integer("Iterations between checks.", 1),
        bound_window: integer("Past iterations for the bound stability check.", 1),
        distance_tol: number("Normalised distance threshold between consecutive simulations.", {
          minimum: 0,
        }),
        bound_tol: number("Relative tolerance for bound stability.", { minimum: 0 }),
      },
      required: ["type", "replications", "period", "bound_window", "distance_tol", "bound_tol"],
      additionalProperties: false,
    },
  ],
};

const SCHEMA: Schema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "urn:cobre-mcp:config.schema.json",
  title: "Cobre config.json",
  description:
    "Solver configuration of a Cobre case directory. Only `training` is required; every other section falls back to the documented defaults.",
  type: "object",
  required: ["training"],
  additionalProperties: false,
  properties: {
    $schema: { type: "string", description: "JSON Schema URI for editors; ignored by the solver." },
    modeling: {
      type: "object",
      description: "Physical modelling options.",
      additionalProperties: false,
      properties: {
        inflow_non_negativity: {
          type: "object",
          description: "How negative PAR inflow draws are handled.",
          additionalProperties: false,
          properties: {
            method: {
              enum: ["none", "penalty", "truncation", "truncation_with_penalty"],
              default: "penalty",
              description:
                "none passes negative inflows to the LP; penalty adds a penalised slack; truncation clamps draws at zero; truncation_with_penalty does both.",
            },
            penalty_cost: number(
              "Penalty coefficient for the inflow slack (deprecated: the LP uses penalties.json hydro.inflow_nonnegativity_cost).",
              { minimum: 0, default: 1000.0 },
            ),
          },
        },
      },
    },
    training: {
      type: "object",
      description: "SDDP training phase.",
      required: ["forward_passes", "stopping_rules"],
      additionalProperties: false,
      properties: {
        enabled: boolean("When false, skip training and simulate a stored policy.", true),
        tree_seed: {
          type: ["integer", "null"],
          default: null,
          description: "Seed of the opening tree and of all noise; null means the default seed 42.",
        },
        forward_passes: integer("Scenario trajectories per iteration.", 1),
        stopping_rules: {
          type: "array",
          minItems: 1,
          description: "Stopping rules; the set must contain an iteration_limit rule.",
          items: STOPPING_RULE,
          contains: {
            type: "object",
            properties: { type: { const: "iteration_limit" } },
            required: ["type"],
          },
        },
        stopping_mode: {
          enum: ["any", "all"],
          default: "any",
          description: "any: stop when one rule triggers; all: stop when every rule triggers.",
        },
        cut_formulation: {
          enum: ["single", "multi", null],
          default: null,
          description: "Single-cut or multi-cut Benders formulation.",
        },
        forward_pass: {
          type: ["object", "null"],
          description: "Forward pass strategy (advanced).",
          properties: {
            type: { type: "string", default: "default", description: "Forward pass type." },
          },
          required: ["type"],
          additionalProperties: false,
        },
        cut_selection: {
          type: "object",
          description: "Row (cut) management: strategy-based selection and budget enforcement.",
          additionalProperties: false,
          properties: {
            enabled: boolean("Enable cut pruning.", false),
            method: {
              enum: ["level1", "lml1", "domination", null],
              default: null,
              description:
                "level1: never-binding cuts; lml1: not binding within memory_window; domination: dominated at all visited states.",
            },
            threshold: integer("Level1 activity threshold (deprecated for lml1/domination).", 0, {
              default: 0,
            }),
            memory_window: {
              type: ["integer", "null"],
              minimum: 1,
              default: null,
              description: "LML1 sliding window in iterations.",
            },
            domination_epsilon: number("Tolerance of domination comparisons.", {
              minimum: 0,
              default: 1e-6,
            }),
            check_frequency: integer("Iterations between pruning checks.", 1, { default: 1 }),
            cut_activity_tolerance: number(
              "Minimum dual multiplier for a cut to count as binding.",
              {
                minimum: 0,
                default: 1e-6,
              },
            ),
            basis_activity_window: integer(
              "Iterations of binding history used for basis reconstruction.",
              1,
              {
                maximum: 31,
                default: 5,
              },
            ),
            max_active_per_stage: {
              type: ["integer", "null"],
              minimum: 1,
              default: null,
              description: "Hard cap on active cuts per stage; null = no budget.",
            },
          },
        },
        solver: {
          type: "object",
          description: "LP solver retry safeguards (advanced).",
          additionalProperties: false,
          properties: {
            retry_max_attempts: integer("Retries before a solver failure is raised.", 0, {
              default: 5,
            }),
            retry_time_budget_seconds: number(
              "Time budget across retries of one solve, in seconds.",
              {
                minimum: 0,
                default: 30.0,
              },
            ),
          },
        },
        scenario_source: SCENARIO_SOURCE,
      },
    },
    estimation: {
      type: "object",
      description: "PAR(p) estimation from scenarios/inflow_history.parquet.",
      additionalProperties: false,
      properties: {
        max_order: integer("Maximum AR lag order considered.", 0, { default: 6 }),
        order_selection: {
          enum: ["pacf", "pacf_annual", "fixed"],
          default: "pacf",
          description:
            "pacf (default), pacf_annual (adds an annual component), fixed (deprecated alias of pacf).",
        },
        min_observations_per_season: integer("Minimum observations per (entity, season).", 1, {
          default: 30,
        }),
        max_coefficient_magnitude: {
          type: ["number", "null"],
          exclusiveMinimum: 0,
          default: null,
          description: "Reduce a season to order 0 when any coefficient exceeds this magnitude.",
        },
      },
    },
    upper_bound_evaluation: {
      type: "object",
      description: "Inner-approximation (vertex) upper bound evaluation.",
      additionalProperties: false,
      properties: {
        enabled: boolean("Enable the inner approximation.", null),
        initial_iteration: {
          type: ["integer", "null"],
          minimum: 1,
          default: null,
          description: "First iteration evaluated.",
        },
        interval_iterations: {
          type: ["integer", "null"],
          minimum: 1,
          default: null,
          description: "Iterations between evaluations.",
        },
        lipschitz: {
          type: "object",
          additionalProperties: false,
          description: "Lipschitz constant used by the inner approximation.",
          properties: {
            mode: { enum: ["auto", null], default: null, description: "Computation mode." },
            fallback_value: {
              type: ["number", "null"],
              minimum: 0,
              default: null,
              description: "Used when automatic computation fails.",
            },
            scale_factor: {
              type: ["number", "null"],
              minimum: 0,
              default: null,
              description: "Multiplicative safety margin.",
            },
          },
        },
      },
    },
    policy: {
      type: "object",
      description: "Policy persistence and initialisation.",
      additionalProperties: false,
      properties: {
        path: {
          type: "string",
          default: "./policy",
          description: "Directory of policy data (cuts, states, basis).",
        },
        mode: {
          enum: ["fresh", "warm_start", "resume"],
          default: "fresh",
          description:
            "fresh starts empty; warm_start loads cuts of a previous run; resume continues an interrupted run.",
        },
        validate_compatibility: boolean(
          "Check entity and dimension compatibility when loading a policy.",
          true,
        ),
        checkpointing: {
          type: "object",
          description: "Periodic checkpoints during training.",
          additionalProperties: false,
          properties: {
            enabled: boolean("Enable checkpointing.", false),
            initial_iteration: {
              type: ["integer", "null"],
              minimum: 1,
              default: null,
              description: "First checkpoint iteration.",
            },
            interval_iterations: {
              type: ["integer", "null"],
              minimum: 1,
              default: null,
              description: "Iterations between checkpoints.",
            },
            store_basis: boolean("Include the LP basis.", false),
            compress: boolean("Compress checkpoint files.", false),
          },
        },
        boundary: {
          type: ["object", "null"],
          default: null,
          description: "Terminal boundary cuts taken from another Cobre policy.",
          properties: {
            path: { type: "string", description: "Source policy checkpoint directory." },
            source_stage: integer("0-based stage of the source policy whose cuts are loaded.", 0),
          },
          required: ["path", "source_stage"],
          additionalProperties: false,
        },
      },
    },
    simulation: {
      type: "object",
      description: "Post-training simulation.",
      additionalProperties: false,
      properties: {
        enabled: boolean("Run the simulation phase after training.", false),
        num_scenarios: integer("Monte Carlo simulation scenarios (0 skips simulation).", 0, {
          default: 2000,
        }),
        policy_type: {
          enum: ["outer", "inner"],
          default: "outer",
          description: "outer uses cuts; inner uses vertices.",
        },
        output_path: {
          type: ["string", "null"],
          default: null,
          description: "Directory for simulation output.",
        },
        output_mode: {
          enum: ["streaming", "batched", null],
          default: null,
          description: "How results are written.",
        },
        io_channel_capacity: integer("Channel capacity between simulation and writer threads.", 1, {
          default: 64,
        }),
        scenario_source: {
          ...SCENARIO_SOURCE,
          description:
            "Sampling scheme of the simulation pass; absent falls back to training.scenario_source.",
        },
      },
    },
    exports: {
      type: "object",
      description: "Which outputs are written.",
      additionalProperties: false,
      properties: {
        training: boolean("Training convergence data (Parquet).", true),
        cuts: boolean("Cut pool (FlatBuffers).", true),
        states: boolean("Visited forward-pass states.", false),
        vertices: boolean("Inner approximation vertices.", true),
        simulation: boolean("Per-entity simulation results (Parquet).", true),
        forward_detail: boolean("Per-scenario forward-pass detail.", false),
        backward_detail: boolean("Per-scenario backward-pass detail.", false),
        compression: {
          enum: ["zstd", "lz4", "none", null],
          default: null,
          description: "Output Parquet compression; null uses zstd.",
        },
        stochastic: boolean("Stochastic preprocessing artifacts under output/stochastic/.", false),
      },
    },
  },
};

/** The JSON Schema of `config.json` (a fresh deep copy on every call, safe to mutate). */
export function configJsonSchema(): Record<string, unknown> {
  return structuredClone(SCHEMA);
}
