import assert from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";
import { directFileAccess } from "../../src/common/mod.ts";
import { configJsonSchema, validateCase } from "../../src/case/mod.ts";
import { TINY, TWO_BUS, withScratch } from "./helpers.ts";

function compile() {
  // strict mode also rejects unknown keywords and ambiguous types in the schema itself.
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  return ajv.compile(configJsonSchema());
}

async function fixtureConfig(dir: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
}

Deno.test("configJsonSchema() is a draft 2020-12 schema that compiles in strict mode", () => {
  const schema = configJsonSchema();
  assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.doesNotThrow(compile);
});

Deno.test("configJsonSchema() documents every section of the configuration reference", () => {
  const properties = configJsonSchema().properties as Record<
    string,
    { properties?: Record<string, unknown> }
  >;
  assert.deepEqual(Object.keys(properties).sort(), [
    "$schema",
    "estimation",
    "exports",
    "modeling",
    "policy",
    "simulation",
    "training",
    "upper_bound_evaluation",
  ]);
  assert.deepEqual(Object.keys(properties.training?.properties ?? {}).sort(), [
    "cut_formulation",
    "cut_selection",
    "enabled",
    "forward_pass",
    "forward_passes",
    "scenario_source",
    "solver",
    "stopping_mode",
    "stopping_rules",
    "tree_seed",
  ]);
});

Deno.test("configJsonSchema() returns a fresh copy each call", () => {
  const a = configJsonSchema();
  a.title = "mutated";
  assert.notEqual(configJsonSchema().title, "mutated");
});

Deno.test("configJsonSchema() accepts the fixture configs and the documented examples", async () => {
  const validate = compile();
  const examples = [
    await fixtureConfig(TINY),
    await fixtureConfig(TWO_BUS),
    { training: { forward_passes: 50, stopping_rules: [{ type: "iteration_limit", limit: 100 }] } },
    {
      training: {
        tree_seed: 42,
        forward_passes: 50,
        stopping_rules: [
          { type: "iteration_limit", limit: 200 },
          { type: "bound_stalling", iterations: 20, tolerance: 0.0001 },
          { type: "time_limit", seconds: 3600.0 },
          {
            type: "simulation",
            replications: 100,
            period: 10,
            bound_window: 5,
            distance_tol: 0.01,
            bound_tol: 0.0001,
          },
        ],
        stopping_mode: "all",
        scenario_source: { seed: 99, inflow: { scheme: "out_of_sample" }, historical_years: null },
        cut_selection: {
          enabled: true,
          method: "level1",
          threshold: 0,
          check_frequency: 5,
          max_active_per_stage: null,
        },
      },
      modeling: {
        inflow_non_negativity: { method: "truncation_with_penalty", penalty_cost: 1000.0 },
      },
      estimation: { max_order: 6, order_selection: "pacf_annual", min_observations_per_season: 30 },
      simulation: {
        enabled: true,
        num_scenarios: 2000,
        scenario_source: {
          seed: 77,
          inflow: { scheme: "historical" },
          historical_years: { from: 1940, to: 2010 },
        },
      },
      policy: {
        path: "./policy",
        mode: "warm_start",
        boundary: { path: "../monthly/policy", source_stage: 2 },
        checkpointing: { enabled: true, interval_iterations: 10 },
      },
      exports: { training: true, cuts: true, states: false, compression: "zstd" },
      upper_bound_evaluation: { enabled: true, lipschitz: { mode: "auto", scale_factor: 1.5 } },
    },
  ];
  for (const config of examples) {
    assert.ok(validate(config), JSON.stringify(validate.errors));
  }
});

const WRONG: { what: string; config: unknown; field: string }[] = [
  { what: "no training section", config: { simulation: { enabled: true } }, field: "training" },
  {
    what: "forward_passes of zero",
    config: {
      training: { forward_passes: 0, stopping_rules: [{ type: "iteration_limit", limit: 1 }] },
    },
    field: "training.forward_passes",
  },
  {
    what: "a fractional forward_passes",
    config: {
      training: { forward_passes: 1.5, stopping_rules: [{ type: "iteration_limit", limit: 1 }] },
    },
    field: "training.forward_passes",
  },
  {
    what: "no iteration_limit rule",
    config: {
      training: { forward_passes: 1, stopping_rules: [{ type: "time_limit", seconds: 5 }] },
    },
    field: "training.stopping_rules",
  },
  {
    what: "an unknown stopping rule type",
    config: {
      training: {
        forward_passes: 1,
        stopping_rules: [{ type: "iteration_limit", limit: 1 }, { type: "forever" }],
      },
    },
    field: "training.stopping_rules[1].type",
  },
  {
    what: "a stopping rule missing its parameter",
    config: { training: { forward_passes: 1, stopping_rules: [{ type: "iteration_limit" }] } },
    field: "training.stopping_rules[0].limit",
  },
  {
    what: "an unknown inflow non-negativity method",
    config: {
      training: { forward_passes: 1, stopping_rules: [{ type: "iteration_limit", limit: 1 }] },
      modeling: { inflow_non_negativity: { method: "clip" } },
    },
    field: "modeling.inflow_non_negativity.method",
  },
  {
    what: "a misspelt section option",
    config: {
      training: { forward_passes: 1, stopping_rules: [{ type: "iteration_limit", limit: 1 }] },
      simulation: { num_scenario: 10 },
    },
    field: "simulation.num_scenario",
  },
  {
    what: "a string where a boolean belongs",
    config: {
      training: { forward_passes: 1, stopping_rules: [{ type: "iteration_limit", limit: 1 }] },
      exports: { cuts: "yes" },
    },
    field: "exports.cuts",
  },
  {
    what: "an unknown sampling scheme",
    config: {
      training: {
        forward_passes: 1,
        stopping_rules: [{ type: "iteration_limit", limit: 1 }],
        scenario_source: { inflow: { scheme: "random" } },
      },
    },
    field: "training.scenario_source.inflow.scheme",
  },
  {
    what: "a negative simulation scenario count",
    config: {
      training: { forward_passes: 1, stopping_rules: [{ type: "iteration_limit", limit: 1 }] },
      simulation: { num_scenarios: -1 },
    },
    field: "simulation.num_scenarios",
  },
];

for (const wrong of WRONG) {
  Deno.test(`configJsonSchema() and validateCase() both reject a config with ${wrong.what}`, async () => {
    const validate = compile();
    assert.equal(validate(wrong.config), false);
    await withScratch(TINY, async (c) => {
      await c.writeJson("config.json", wrong.config);
      const report = await validateCase(c.dir, directFileAccess);
      const fields = report.errors.filter((e) => e.context.file === "config.json").map((e) =>
        e.context.field
      );
      assert.ok(
        fields.includes(wrong.field),
        `${wrong.field} not in ${JSON.stringify(report.errors, null, 1)}`,
      );
    });
  });
}
