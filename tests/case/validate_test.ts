import assert from "node:assert/strict";
import {
  directFileAccess,
  type ErrorRecord,
  VALIDATION_KINDS,
  type ValidationKind,
} from "../../src/common/mod.ts";
import { validateCase } from "../../src/case/mod.ts";
import { recordStrings, type ScratchCase, TINY, TWO_BUS, withScratch } from "./helpers.ts";

/** Context fields structured-output SS2.3.1 lists for each validation kind. */
const CONTEXT_FIELDS: Record<ValidationKind, string[]> = {
  MissingFile: ["file"],
  ParseError: ["file", "detail"],
  SchemaViolation: ["file", "entity_id", "field", "expected", "actual"],
  TypeMismatch: ["file", "entity_id", "field", "expected_type", "actual_type"],
  OutOfRange: ["file", "entity_id", "field", "value", "min", "max"],
  InvalidEnum: ["file", "entity_id", "field", "value", "allowed_values"],
  DuplicateId: ["file", "entity_id", "registry"],
  MissingReference: ["file", "entity_id", "field", "referenced_value", "referenced_registry"],
  CoverageMismatch: ["file", "entity_id", "missing_dimension", "expected_coverage"],
  StageMismatch: ["file", "entity_id", "stage_id", "detail"],
  IncompatibleSettings: ["file", "settings", "detail"],
  PhysicalConstraint: ["file", "entity_id", "rule", "detail"],
  CapacityViolation: ["file", "entity_id", "field_min", "value_min", "field_max", "value_max"],
  PenaltyConsistency: ["file", "entity_id", "penalty_field", "value", "violated_rule"],
};

const LAYER: Record<ValidationKind, number> = {
  MissingFile: 1,
  ParseError: 1,
  SchemaViolation: 2,
  TypeMismatch: 2,
  OutOfRange: 2,
  InvalidEnum: 2,
  DuplicateId: 2,
  MissingReference: 3,
  CoverageMismatch: 4,
  StageMismatch: 4,
  IncompatibleSettings: 5,
  PhysicalConstraint: 5,
  CapacityViolation: 5,
  PenaltyConsistency: 5,
};

interface BrokenCase {
  kind: ValidationKind;
  what: string;
  fixture?: string;
  breakIt: (c: ScratchCase) => Promise<void>;
  file: string;
  /** Text the error message must contain. */
  says: string;
  context?: Record<string, unknown>;
}

const BROKEN: BrokenCase[] = [
  {
    kind: "MissingFile",
    what: "a required registry is missing",
    breakIt: (c) => c.remove("system/thermals.json"),
    file: "system/thermals.json",
    says: "has no system/thermals.json",
  },
  {
    kind: "ParseError",
    what: "a registry is malformed JSON",
    breakIt: (c) => c.writeText("system/buses.json", '{\n  "buses": [\n    { "id": 0, }\n  ]\n}'),
    file: "system/buses.json",
    says: "line 3",
    context: { line: 3 },
  },
  {
    kind: "SchemaViolation",
    what: "a required field is missing",
    breakIt: (c) => c.editJson("system/hydros.json", (d) => delete d.hydros[0].bus_id),
    file: "system/hydros.json",
    says: 'hydro 0 field "bus_id" is required',
    context: { entity_id: 0, field: "bus_id" },
  },
  {
    kind: "TypeMismatch",
    what: "a number is written as a string",
    breakIt: (c) =>
      c.editJson("system/hydros.json", (d) => (d.hydros[0].reservoir.max_storage_hm3 = "1000")),
    file: "system/hydros.json",
    says: 'field "reservoir.max_storage_hm3" must be number, found string',
    context: { expected_type: "number", actual_type: "string", field: "reservoir.max_storage_hm3" },
  },
  {
    kind: "OutOfRange",
    what: "a thermal cost is negative",
    breakIt: (c) => c.editJson("system/thermals.json", (d) => (d.thermals[0].cost_per_mwh = -5)),
    file: "system/thermals.json",
    says: 'thermal 0 field "cost_per_mwh" is -5',
    context: { value: -5, min: 0, max: null },
  },
  {
    kind: "InvalidEnum",
    what: "an unknown block mode",
    breakIt: (c) => c.editJson("stages.json", (d) => (d.stages[1].block_mode = "sequential")),
    file: "stages.json",
    says: '"sequential"',
    context: { value: "sequential", allowed_values: ["parallel", "chronological"], entity_id: 1 },
  },
  {
    kind: "DuplicateId",
    what: "two buses share an id",
    breakIt: (c) => c.editJson("system/buses.json", (d) => d.buses.push({ id: 0, name: "TWIN" })),
    file: "system/buses.json",
    says: "bus id 0 appears more than once",
    context: { entity_id: 0 },
  },
  {
    kind: "MissingReference",
    what: "a hydro points at a bus that does not exist",
    breakIt: (c) => c.editJson("system/hydros.json", (d) => (d.hydros[0].bus_id = 99)),
    file: "system/hydros.json",
    says:
      'system/hydros.json: hydro 0 field "bus_id" references bus 99, which is not in system/buses.json',
    context: { referenced_value: 99, referenced_registry: "system/buses.json", entity_id: 0 },
  },
  {
    kind: "CoverageMismatch",
    what: "inflow statistics miss a stage",
    breakIt: (c) =>
      c.writeParquet("scenarios/inflow_seasonal_stats.parquet", [
        { name: "hydro_id", type: "INT32", data: [0] },
        { name: "stage_id", type: "INT32", data: [0] },
        { name: "mean_m3s", type: "DOUBLE", data: [20] },
        { name: "std_m3s", type: "DOUBLE", data: [0] },
      ]),
    file: "scenarios/inflow_seasonal_stats.parquet",
    says: "no row for hydro 0 at stage(s) 1",
    context: { missing_dimension: "stage_id", entity_id: 0 },
  },
  {
    kind: "StageMismatch",
    what: "a load factor names a block the stage does not have",
    breakIt: (c) =>
      c.writeJson("scenarios/load_factors.json", {
        load_factors: [{ bus_id: 0, stage_id: 0, block_factors: [{ block_id: 3, factor: 1.1 }] }],
      }),
    file: "scenarios/load_factors.json",
    says: "block 3",
    context: { stage_id: 0 },
  },
  {
    kind: "IncompatibleSettings",
    what: "a hydro uses the FPHA production model",
    breakIt: (c) =>
      c.editJson("system/hydros.json", (d) => (d.hydros[0].generation.model = "fpha")),
    file: "system/hydros.json",
    says: '"fpha" hydro production model is not supported',
  },
  {
    kind: "PhysicalConstraint",
    what: "initial storage exceeds the reservoir",
    breakIt: (c) => c.editJson("initial_conditions.json", (d) => (d.storage[0].value_hm3 = 2000)),
    file: "initial_conditions.json",
    says: "outside its storage range [0, 1000]",
    context: { rule: "initial_storage_within_bounds", entity_id: 0 },
  },
  {
    kind: "CapacityViolation",
    what: "a thermal minimum exceeds its maximum",
    breakIt: (c) =>
      c.editJson("system/thermals.json", (d) => (d.thermals[0].generation.min_mw = 90)),
    file: "system/thermals.json",
    says: "generation.min_mw (90) greater than generation.max_mw (80)",
    context: { value_min: 90, value_max: 80 },
  },
  {
    kind: "PenaltyConsistency",
    what: "deficit costs decrease with depth",
    breakIt: (c) =>
      c.editJson("penalties.json", (d) => {
        d.bus.deficit_segments = [{ depth_mw: 10, cost: 1000 }, { depth_mw: null, cost: 500 }];
      }),
    file: "penalties.json",
    says: "must be greater than",
    context: { violated_rule: "deficit segment costs strictly increasing" },
  },
];

Deno.test("the broken-case table covers all 14 validation kinds", () => {
  assert.deepEqual(new Set(BROKEN.map((b) => b.kind)), new Set(VALIDATION_KINDS));
});

for (const broken of BROKEN) {
  Deno.test(`validateCase() reports ${broken.kind} when ${broken.what}`, async () => {
    await withScratch(broken.fixture ?? TINY, async (c) => {
      await broken.breakIt(c);
      const report = await validateCase(c.dir, directFileAccess);
      assert.equal(report.valid, false);
      assert.deepEqual(
        report.errors.map((e) => e.kind),
        [broken.kind],
        `expected exactly one ${broken.kind}, got ${JSON.stringify(report.errors, null, 1)}`,
      );
      const error = report.errors[0] as ErrorRecord;
      assert.ok(error.message.includes(broken.file), error.message);
      assert.ok(error.message.includes(broken.says), `"${error.message}" lacks "${broken.says}"`);
      assert.equal(error.context.file, broken.file);
      for (const field of CONTEXT_FIELDS[broken.kind]) {
        assert.ok(field in error.context, `${broken.kind} context lacks "${field}"`);
      }
      for (const [key, value] of Object.entries(broken.context ?? {})) {
        assert.deepEqual(error.context[key], value, `context.${key}`);
      }
      assert.equal(typeof error.suggestion, "string");
      for (const text of recordStrings(error)) {
        assert.ok(!text.includes(c.dir), `record leaks the case path: ${text}`);
      }
      assert.equal(report.summary.layers_completed, LAYER[broken.kind]);
      assert.equal(report.summary.error_count, 1);
    });
  });
}

Deno.test("validateCase() accepts both fixtures with all five layers completed", async () => {
  for (const fixture of [TINY, TWO_BUS]) {
    const report = await validateCase(fixture, directFileAccess);
    assert.deepEqual(report.errors, []);
    assert.equal(report.valid, true);
    assert.equal(report.summary.layers_completed, 5);
    assert.equal(report.summary.error_count, 0);
    assert.equal(report.summary.warning_count, report.warnings.length);
  }
});

Deno.test("validateCase() counts files and entities of a valid case", async () => {
  const report = await validateCase(TWO_BUS, directFileAccess);
  // 8 required files + production models, load factors, 3 scenario and 6 constraint Parquet files.
  assert.equal(report.summary.files_checked, 19);
  // 2 buses + 1 line + 2 hydros + 2 thermals + 3 stages.
  assert.equal(report.summary.entities_validated, 10);
});

Deno.test("validateCase() warns, without failing, about deterministic inflows", async () => {
  const report = await validateCase(TINY, directFileAccess);
  assert.equal(report.valid, true);
  assert.deepEqual(report.warnings.map((w) => [w.kind, w.context.rule]), [[
    "PhysicalConstraint",
    "deterministic_inflow",
  ]]);
});

Deno.test("validateCase() reports every problem of several files in one pass", async () => {
  await withScratch(TINY, async (c) => {
    await c.editJson("system/hydros.json", (d) => (d.hydros[0].bus_id = 42));
    await c.editJson("system/thermals.json", (d) => (d.thermals[0].cost_per_mwh = "cheap"));
    await c.editJson("config.json", (d) => (d.training.forward_passes = 0));
    await c.editJson("stages.json", (d) => (d.stages[0].num_scenarios = -1));
    const report = await validateCase(c.dir, directFileAccess);
    const got = report.errors.map((e) => `${e.kind} ${e.context.file}`).sort();
    assert.deepEqual(got, [
      "MissingReference system/hydros.json",
      "OutOfRange config.json",
      "OutOfRange stages.json",
      "TypeMismatch system/thermals.json",
    ]);
    // Errors come out ordered by layer; the first failing layer is 2 (schema).
    assert.equal(report.summary.layers_completed, 2);
    assert.deepEqual(report.errors.map((e) => LAYER[e.kind as ValidationKind]), [2, 2, 2, 3]);
  });
});

Deno.test("validateCase() keeps checking the other hydros when one is broken", async () => {
  await withScratch(TWO_BUS, async (c) => {
    await c.editJson("system/hydros.json", (d) => {
      d.hydros[0].reservoir.min_storage_hm3 = -1; // hydro 1 broken
      d.hydros[1].bus_id = 77; // hydro 0 dangling
    });
    const report = await validateCase(c.dir, directFileAccess);
    const summary = report.errors.map((e) => [e.kind, e.context.entity_id]);
    assert.deepEqual(summary, [["OutOfRange", 1], ["MissingReference", 0]]);
  });
});

Deno.test("validateCase() does not report references to an entity that exists but is broken", async () => {
  await withScratch(TWO_BUS, async (c) => {
    // hydro 0 flows into hydro 1; breaking hydro 1 must not make downstream_id 1 "missing".
    await c.editJson("system/hydros.json", (d) => (d.hydros[0].name = 5));
    const report = await validateCase(c.dir, directFileAccess);
    assert.deepEqual(report.errors.map((e) => e.kind), ["TypeMismatch"]);
  });
});

Deno.test("validateCase() finds a cycle in the hydro cascade", async () => {
  await withScratch(TWO_BUS, async (c) => {
    await c.editJson("system/hydros.json", (d) => (d.hydros[0].downstream_id = 0));
    const report = await validateCase(c.dir, directFileAccess);
    assert.deepEqual(report.errors.map((e) => [e.kind, e.context.rule]), [[
      "PhysicalConstraint",
      "acyclic_cascade",
    ]]);
    assert.match(report.errors[0]?.message ?? "", /cycle (0 -> 1 -> 0|1 -> 0 -> 1)/);
  });
});

Deno.test("validateCase() checks stage overrides against base bounds", async () => {
  await withScratch(TWO_BUS, async (c) => {
    await c.writeParquet("constraints/thermal_bounds.parquet", [
      { name: "thermal_id", type: "INT32", data: [1] },
      { name: "stage_id", type: "INT32", data: [1] },
      { name: "max_generation_mw", type: "DOUBLE", data: [5] }, // below the base minimum of 10
    ]);
    const report = await validateCase(c.dir, directFileAccess);
    assert.deepEqual(report.errors.map((e) => e.kind), ["CapacityViolation"]);
    assert.equal(report.errors[0]?.context.stage_id, 1);
    assert.equal(report.errors[0]?.context.value_max, 5);
  });
});

Deno.test("validateCase() requires past inflows to cover the AR order when lags are state", async () => {
  await withScratch(TWO_BUS, async (c) => {
    await c.editJson(
      "initial_conditions.json",
      (d) => (d.past_inflows = [{ hydro_id: 0, values_m3s: [120] }]),
    );
    const report = await validateCase(c.dir, directFileAccess);
    assert.deepEqual(report.errors.map((e) => [e.kind, e.context.entity_id]), [[
      "CoverageMismatch",
      1,
    ]]);
  });
});

Deno.test("validateCase() reports statistics rows for unknown stages and hydros once each", async () => {
  await withScratch(TINY, async (c) => {
    await c.writeParquet("scenarios/inflow_seasonal_stats.parquet", [
      { name: "hydro_id", type: "INT32", data: [0, 0, 0, 5, 5] },
      { name: "stage_id", type: "INT32", data: [0, 1, 9, 0, 1] },
      { name: "mean_m3s", type: "DOUBLE", data: [20, 20, 20, 1, 1] },
      { name: "std_m3s", type: "DOUBLE", data: [0, 0, 0, 0, 0] },
    ]);
    const report = await validateCase(c.dir, directFileAccess);
    const refs = report.errors.map((e) => [e.kind, e.context.field, e.context.referenced_value]);
    assert.deepEqual(refs, [["MissingReference", "stage_id", 9], [
      "MissingReference",
      "hydro_id",
      5,
    ]]);
  });
});

Deno.test("validateCase() lists at most 25 records of one kind per file and summarises the rest", async () => {
  await withScratch(TINY, async (c) => {
    const n = 40;
    await c.writeParquet("scenarios/load_seasonal_stats.parquet", [
      { name: "bus_id", type: "INT32", data: Array.from({ length: n }, () => 0) },
      { name: "stage_id", type: "INT32", data: Array.from({ length: n }, (_, i) => i) },
      { name: "mean_mw", type: "DOUBLE", data: Array.from({ length: n }, () => 100) },
      { name: "std_mw", type: "DOUBLE", data: Array.from({ length: n }, () => -1) },
    ]);
    const report = await validateCase(c.dir, directFileAccess);
    const outOfRange = report.errors.filter((e) => e.kind === "OutOfRange");
    assert.equal(outOfRange.length, 26);
    assert.match(outOfRange[25]?.message ?? "", /15 more OutOfRange errors/);
    assert.equal(outOfRange[25]?.context.omitted, 15);
  });
});

Deno.test("validateCase() throws MissingFile for a case directory that does not exist", async () => {
  await assert.rejects(
    () => validateCase("/nonexistent/cobre/case", directFileAccess),
    (error: unknown) => {
      const record = (error as { record?: ErrorRecord }).record;
      assert.equal(record?.kind, "MissingFile");
      assert.ok(!record?.message.includes("/nonexistent"));
      return true;
    },
  );
});

Deno.test("validateCase() reports a config with no iteration_limit rule", async () => {
  await withScratch(TINY, async (c) => {
    await c.editJson(
      "config.json",
      (d) => (d.training.stopping_rules = [{ type: "time_limit", seconds: 60 }]),
    );
    const report = await validateCase(c.dir, directFileAccess);
    assert.deepEqual(report.errors.map((e) => [e.kind, e.context.field]), [[
      "SchemaViolation",
      "training.stopping_rules",
    ]]);
  });
});

Deno.test("validateCase() rejects misspelt config options instead of ignoring them", async () => {
  await withScratch(TINY, async (c) => {
    await c.editJson("config.json", (d) => (d.simulation.num_scenario = 5));
    const report = await validateCase(c.dir, directFileAccess);
    assert.deepEqual(report.errors.map((e) => [e.kind, e.context.field]), [[
      "SchemaViolation",
      "simulation.num_scenario",
    ]]);
  });
});

Deno.test("validateCase() warns once when block hours do not cover the stages' calendar span", async () => {
  await withScratch(TINY, async (c) => {
    await c.editJson("stages.json", (d) => {
      d.stages[0].blocks[0].hours = 730;
      d.stages[1].blocks[0].hours = 730;
    });
    const report = await validateCase(c.dir, directFileAccess);
    assert.equal(report.valid, true);
    const warning = report.warnings.find((w) =>
      w.context.rule === "block_hours_match_stage_duration"
    );
    assert.match(warning?.message ?? "", /blocks of 2 stage\(s\)/);
    assert.match(warning?.message ?? "", /stage 1: 730 h of blocks, 720 h of calendar/);
  });
});

Deno.test("validateCase() reports thermal bound rows that target a single block", async () => {
  await withScratch(TINY, async (c) => {
    await c.writeParquet("constraints/thermal_bounds.parquet", [
      { name: "thermal_id", type: "INT32", data: [0, 0] },
      { name: "stage_id", type: "INT32", data: [0, 1] },
      { name: "cost_per_mwh", type: "DOUBLE", data: [60, 70] },
      { name: "block_id", type: "INT32", data: [null, 0] },
    ]);
    const report = await validateCase(c.dir, directFileAccess);
    assert.deepEqual(report.errors.map((e) => [e.kind, e.context.rows]), [[
      "IncompatibleSettings",
      1,
    ]]);
    assert.match(report.errors[0]?.message ?? "", /per-block thermal bounds and costs/);
  });
});
