import assert from "node:assert/strict";
import { CobreError, directFileAccess, type ErrorRecord } from "../../src/common/mod.ts";
import { inspectCase, listScenarios } from "../../src/case/mod.ts";
import { TINY, TWO_BUS, withScratch } from "./helpers.ts";

function recordOf(error: unknown): ErrorRecord {
  assert.ok(error instanceof CobreError, String(error));
  return error.record;
}

Deno.test("inspectCase() summarises a case without validating it", async () => {
  const inspection = await inspectCase(TWO_BUS, directFileAccess);
  assert.deepEqual(inspection.entities, { hydros: 2, thermals: 2, buses: 2, lines: 1 });
  assert.equal(inspection.stages, 3);
  assert.equal(inspection.scenario_source, "par");
  assert.equal((inspection.config.training as { forward_passes: number }).forward_passes, 2);
  assert.equal(inspection.files_present.length, 19);
  assert.ok(inspection.files_present.includes("constraints/penalty_overrides_hydro.parquet"));
});

Deno.test("inspectCase() still answers for a case that fails validation", async () => {
  await withScratch(TINY, async (c) => {
    await c.editJson("system/hydros.json", (d) => (d.hydros[0].bus_id = 99));
    await c.remove("penalties.json");
    const inspection = await inspectCase(c.dir, directFileAccess);
    assert.deepEqual(inspection.entities, { hydros: 1, thermals: 1, buses: 1, lines: 0 });
    assert.ok(!inspection.files_present.includes("penalties.json"));
  });
});

Deno.test("inspectCase() throws MissingFile when config.json is absent", async () => {
  await withScratch(TINY, async (c) => {
    await c.remove("config.json");
    const error = await inspectCase(c.dir, directFileAccess).catch((e) => e);
    const record = recordOf(error);
    assert.equal(record.kind, "MissingFile");
    assert.equal(record.message, "Case directory has no config.json");
  });
});

Deno.test("inspectCase() throws ParseError with a line number for a malformed registry", async () => {
  await withScratch(TINY, async (c) => {
    await c.writeText("system/thermals.json", '{\n  "thermals": [\n    { "id": 0 ]\n}');
    const record = recordOf(await inspectCase(c.dir, directFileAccess).catch((e) => e));
    assert.equal(record.kind, "ParseError");
    assert.equal(record.context.file, "system/thermals.json");
    assert.equal(record.context.line, 3);
  });
});

Deno.test("inspectCase() reports external scenarios when an external file is present", async () => {
  await withScratch(TINY, async (c) => {
    await c.writeParquet("scenarios/external_inflow_scenarios.parquet", [
      { name: "hydro_id", type: "INT32", data: [0, 0, 0, 0] },
      { name: "stage_id", type: "INT32", data: [0, 0, 1, 1] },
      { name: "scenario_id", type: "INT32", data: [0, 1, 0, 1] },
      { name: "value_m3s", type: "DOUBLE", data: [10, 30, 10, 30] },
    ]);
    assert.equal((await inspectCase(c.dir, directFileAccess)).scenario_source, "external");
    assert.deepEqual(await listScenarios(c.dir, directFileAccess), {
      scenario_source: "external",
      count: 2,
      stages: 2,
      entities: 1,
      par_model: null,
    });
  });
});

Deno.test("listScenarios() summarises the PAR model from single Parquet columns", async () => {
  assert.deepEqual(await listScenarios(TWO_BUS, directFileAccess), {
    scenario_source: "par",
    count: 3,
    stages: 3,
    entities: 2,
    par_model: { max_ar_order: 1, seasons: 12, correlation_groups: 0 },
  });
  assert.deepEqual(await listScenarios(TINY, directFileAccess), {
    scenario_source: "par",
    count: 1,
    stages: 2,
    entities: 1,
    par_model: { max_ar_order: 0, seasons: 2, correlation_groups: 0 },
  });
});

Deno.test("listScenarios() counts correlation groups of the default profile", async () => {
  await withScratch(TINY, async (c) => {
    await c.writeJson("scenarios/correlation.json", {
      method: "spectral",
      profiles: { default: { correlation_groups: [{ name: "a" }, { name: "b" }] } },
    });
    const listing = await listScenarios(c.dir, directFileAccess);
    assert.equal(listing.par_model?.correlation_groups, 2);
  });
});

Deno.test("listScenarios() throws MissingFile when the case has no scenario files", async () => {
  await withScratch(TINY, async (c) => {
    await c.remove("scenarios");
    const record = recordOf(await listScenarios(c.dir, directFileAccess).catch((e) => e));
    assert.equal(record.kind, "MissingFile");
  });
});

Deno.test("listScenarios() throws ParseError for a corrupt statistics file", async () => {
  await withScratch(TINY, async (c) => {
    await c.writeText("scenarios/inflow_seasonal_stats.parquet", "PAR1 not really PAR1");
    const record = recordOf(await listScenarios(c.dir, directFileAccess).catch((e) => e));
    assert.equal(record.kind, "ParseError");
    assert.equal(record.context.file, "scenarios/inflow_seasonal_stats.parquet");
  });
});
