import assert from "node:assert/strict";
import { posix } from "node:path";
import { directFileAccess, type ErrorRecord, isCobreError } from "../../src/common/mod.ts";
import {
  encodeParquet,
  HYDROS_TABLE,
  partitionDirName,
  queryResults,
  type QueryResultsRequest,
} from "../../src/output/mod.ts";
import { CLI_FIXTURE, copyTree, recordingAccess, withTempDir } from "./helpers.ts";

function query(entity_type: string, filters: QueryResultsRequest["filters"] = {}) {
  return queryResults({ outputDir: CLI_FIXTURE, entity_type, filters }, directFileAccess);
}

/** Awaits a rejection and returns its error record (failing if it is not a CobreError). */
async function recordOf(promise: Promise<unknown>): Promise<ErrorRecord> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isCobreError(error), `expected a CobreError, got ${error}`);
    return error.record;
  }
  assert.fail("expected a rejection");
}

Deno.test("queryResults() filters the real-CLI fixture by entity name, stage and columns", async () => {
  // hydros.generation_mw = 1000 s + 100 t + 10 e + b; ITAIPU is hydro 1; evaporation null for it.
  const result = await query("hydros", {
    entity_id: "ITAIPU",
    stage_range: [1, 1],
    columns: ["scenario_id", "stage_id", "block_id", "generation_mw", "evaporation_m3s"],
  });
  assert.deepEqual(result, {
    columns: ["scenario_id", "stage_id", "block_id", "generation_mw", "evaporation_m3s"],
    rows: [
      [0, 1, 0, 110, null],
      [0, 1, 1, 111, null],
      [1, 1, 0, 1110, null],
      [1, 1, 1, 1111, null],
      [2, 1, 0, 2110, null],
      [2, 1, 1, 2111, null],
    ],
    total_rows: 6,
    truncated: false,
  });
});

Deno.test("queryResults() resolves entity ids given as numbers, digit strings or names in any case", async () => {
  const columns = ["hydro_id", "storage_final_hm3"];
  const expected = await query("hydros", { entity_id: 1, stage_range: [2, 2], columns });
  // storage_final_hm3 = 500 + 10 t + e = 521 for every scenario and block of hydro 1, stage 2.
  assert.deepEqual(expected.rows, Array.from({ length: 6 }, () => [1, 521]));
  for (const entity_id of ["1", "itaipu", ["ITAIPU"], [1, "Itaipu"]]) {
    assert.deepEqual(await query("hydros", { entity_id, stage_range: [2, 2], columns }), expected);
  }
  const both = await query("hydros", { entity_id: ["FURNAS", "1"], stage_range: [0, 0] });
  assert.equal(both.total_rows, 3 * 2 * 2);
});

Deno.test("queryResults() caps rows at limit while total_rows counts every match", async () => {
  const result = await query("thermals", { limit: 2 });
  assert.equal(result.total_rows, 3 * 3 * 2 * 2);
  assert.equal(result.truncated, true);
  assert.deepEqual(result.columns, [
    "scenario_id",
    "stage_id",
    "block_id",
    "thermal_id",
    "generation_mw",
    "generation_mwh",
    "generation_cost",
    "is_gnl",
    "gnl_committed_mw",
    "gnl_decision_mw",
    "operative_state_code",
  ]);
  // thermal 1 is the GNL unit: generation 10.5 MW, 360 h blocks, 50 $/MWh, committed 50 MW.
  assert.deepEqual(result.rows, [
    [0, 0, 0, 0, 0.5, 180, 9000, false, null, null, 2],
    [0, 0, 0, 1, 10.5, 3780, 189000, true, 50, 40, 2],
  ]);
  const filtered = await query("thermals", { entity_id: "GNL_SUL", stage_range: [0, 1], limit: 3 });
  assert.equal(filtered.total_rows, 3 * 2 * 2);
  assert.equal(filtered.rows.length, 3);
});

Deno.test("queryResults() reads lines from simulation/exchanges and keeps stage-level null blocks", async () => {
  // net_flow_mw = 10 t - b + s on line 0.
  const lines = await query("lines", {
    scenario_range: [2, 2],
    stage_range: [2, 2],
    columns: ["block_id", "net_flow_mw", "line_id"],
  });
  assert.deepEqual(lines.rows, [[0, 22, 0], [1, 21, 0]]);
  // costs are stage-level: block_id is null, total_cost = 1000 (s + 1) + 100 t.
  const costs = await query("costs", {
    scenario_range: [1, 1],
    columns: ["stage_id", "block_id", "total_cost"],
  });
  assert.deepEqual(costs.rows, [[0, null, 2000], [1, null, 2100], [2, null, 2200]]);
  const lags = await query("inflow_lags", {
    entity_id: "FURNAS",
    columns: ["scenario_id", "inflow_m3s"],
  });
  assert.deepEqual(lags.rows.map((r) => r[1]), [300, 301, 302, 301, 302, 303, 302, 303, 304]);
});

Deno.test("queryResults() returns Int8 codes and prices as JSON numbers, never BigInt", async () => {
  const buses = await query("buses", {
    entity_id: "S",
    scenario_range: [2, 2],
    stage_range: [1, 1],
  });
  const spot = buses.columns.indexOf("spot_price");
  // spot_price = 100 + 10 t + e + 0.25 s = 111.5.
  assert.deepEqual(buses.rows.map((r) => r[spot]), [111.5, 111.5]);
  const hydros = await query("hydros", {
    columns: ["storage_binding_code", "operative_state_code"],
    limit: 1,
  });
  assert.deepEqual(hydros.rows, [[0, 2]]);
  assert.doesNotThrow(() => JSON.stringify(buses));
});

Deno.test("queryResults() returns an empty table for entity types the case does not have", async () => {
  const result = await query("contracts", { columns: ["scenario_id", "contract_id", "power_mw"] });
  assert.deepEqual(result, {
    columns: ["scenario_id", "contract_id", "power_mw"],
    rows: [],
    total_rows: 0,
    truncated: false,
  });
});

Deno.test("scenario_range opens only the partitions inside the range", async () => {
  const access = recordingAccess();
  const result = await queryResults(
    { outputDir: CLI_FIXTURE, entity_type: "hydros", filters: { scenario_range: [1, 1] } },
    access,
  );
  assert.equal(result.total_rows, 3 * 2 * 2);
  assert.deepEqual(access.opened, [
    posix.join(CLI_FIXTURE, "simulation/hydros/scenario_id=0001/data.parquet"),
  ]);
});

Deno.test("queryResults() reports invalid arguments with the valid choices", async (t) => {
  const cases: [string, () => Promise<unknown>, RegExp, string?][] = [
    [
      "entity type",
      () => query("hydro"),
      /Unknown entity_type "hydro"; valid values: hydros, thermals/,
    ],
    [
      "column",
      () => query("hydros", { columns: ["storage_hm3"] }),
      /Unknown column "storage_hm3"; valid values: scenario_id, stage_id/,
    ],
    [
      "name",
      () => query("hydros", { entity_id: "BELO MONTE" }),
      /Unknown hydros entity "BELO MONTE"/,
      "FURNAS, ITAIPU",
    ],
    ["entity on costs", () => query("costs", { entity_id: 1 }), /has no entity column/],
    ["limit", () => query("hydros", { limit: 0 }), /limit must be an integer in 1..10000/],
    ["limit high", () => query("hydros", { limit: 10001 }), /limit must be an integer in 1..10000/],
    ["range", () => query("hydros", { stage_range: [2, 1] }), /stage_range must be two integers/],
  ];
  for (const [name, run, pattern, suggestion] of cases) {
    await t.step(name, async () => {
      const record = await recordOf(run());
      assert.equal(record.kind, "InvalidArgument");
      assert.match(record.message, pattern);
      if (suggestion) assert.match(record.suggestion ?? "", new RegExp(suggestion));
    });
  }
});

Deno.test("queryResults() reports a missing output or missing simulation as OutputNotFound", async () => {
  await withTempDir(async (dir) => {
    const missing = posix.join(dir, "nope");
    const record = await recordOf(
      queryResults({ outputDir: missing, entity_type: "hydros" }, directFileAccess),
    );
    assert.equal(record.kind, "OutputNotFound");
    assert.equal(record.context.path, missing);
    assert.ok(typeof record.context.expected_content === "string");

    await Deno.mkdir(posix.join(dir, "out/training"), { recursive: true });
    const noSimulation = await recordOf(
      queryResults({ outputDir: posix.join(dir, "out"), entity_type: "hydros" }, directFileAccess),
    );
    assert.equal(noSimulation.kind, "OutputNotFound");
    assert.equal(noSimulation.context.path, posix.join(dir, "out/simulation"));
  });
});

Deno.test("queryResults() reports truncated or foreign Parquet as OutputCorrupted naming the file", async () => {
  await withTempDir(async (dir) => {
    const out = posix.join(dir, "out");
    await copyTree(CLI_FIXTURE, out);
    const victim = posix.join(out, "simulation/hydros/scenario_id=0001/data.parquet");
    const bytes = await Deno.readFile(victim);
    for (const damaged of [bytes.slice(0, bytes.length - 9), new TextEncoder().encode("{}")]) {
      await Deno.writeFile(victim, damaged);
      const record = await recordOf(
        queryResults({ outputDir: out, entity_type: "hydros" }, directFileAccess),
      );
      assert.equal(record.kind, "OutputCorrupted");
      assert.equal(record.context.file, victim);
      assert.ok(typeof record.context.detail === "string" && record.context.detail.length > 0);
      assert.doesNotMatch(record.message, /\n\s+at /, "no stack trace in the message");
    }
    // A partition whose data.parquet never got renamed into place (a killed Cobre run).
    await Deno.rename(victim, `${victim}.tmp`);
    const interrupted = await recordOf(
      queryResults({ outputDir: out, entity_type: "hydros" }, directFileAccess),
    );
    assert.equal(interrupted.kind, "OutputCorrupted");
    assert.equal(interrupted.context.file, victim);
    assert.match(String(interrupted.context.detail), /missing/);
    // Scenarios outside the range are never opened, so they cannot fail the query.
    const ok = await queryResults(
      { outputDir: out, entity_type: "hydros", filters: { scenario_range: [2, 2] } },
      directFileAccess,
    );
    assert.equal(ok.total_rows, 12);
  });
});

/** Writes `scenarios` hydro partitions of `rowsPerScenario` rows with our writer. */
async function writeLargeHydros(out: string, scenarios: number, rowsPerScenario: number) {
  for (let s = 0; s < scenarios; s++) {
    const rows = Array.from({ length: rowsPerScenario }, (_, i) => ({
      ...Object.fromEntries(HYDROS_TABLE.columns.map((c) => [c.name, c.nullable ? null : 0])),
      stage_id: Math.floor(i / 100),
      hydro_id: i % 100,
      generation_mw: s * 1e6 + i + 0.25,
      storage_final_hm3: Math.sin(i) * 1e4,
    }));
    const dir = posix.join(out, "simulation/hydros", partitionDirName(s));
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeFile(posix.join(dir, "data.parquet"), encodeParquet(HYDROS_TABLE, rows));
  }
}

Deno.test("queryResults() stops reading at the limit and reads only the requested columns", async () => {
  await withTempDir(async (dir) => {
    await writeLargeHydros(dir, 3, 20_000);
    const sizes = [0, 1, 2].map((s) =>
      Deno.statSync(posix.join(dir, "simulation/hydros", partitionDirName(s), "data.parquet")).size
    );
    const limited = recordingAccess();
    const result = await queryResults(
      { outputDir: dir, entity_type: "hydros", filters: { limit: 5 } },
      limited,
    );
    assert.equal(result.total_rows, 60_000);
    assert.deepEqual(result.rows.map((r) => r[result.columns.indexOf("generation_mw")]), [
      0.25,
      1.25,
      2.25,
      3.25,
      4.25,
    ]);
    // Partitions past the limit contribute their footer only (exact row counts, no pages).
    for (const s of [1, 2]) {
      const path = posix.join(dir, "simulation/hydros", partitionDirName(s), "data.parquet");
      const read = limited.bytesRead.get(path) ?? 0;
      assert.ok(
        read < (sizes[s] as number) / 4,
        `scenario ${s}: read ${read} of ${sizes[s]} bytes`,
      );
    }

    const oneColumn = recordingAccess();
    const narrow = await queryResults(
      {
        outputDir: dir,
        entity_type: "hydros",
        filters: { columns: ["hydro_id"], scenario_range: [0, 0], limit: 10_000 },
      },
      oneColumn,
    );
    const wide = recordingAccess();
    await queryResults(
      { outputDir: dir, entity_type: "hydros", filters: { scenario_range: [0, 0], limit: 10_000 } },
      wide,
    );
    const total = (access: typeof wide) =>
      [...access.bytesRead.values()].reduce((a, b) => a + b, 0);
    assert.equal(narrow.rows.length, 10_000);
    assert.deepEqual(narrow.rows[123], [23]);
    assert.ok(
      total(oneColumn) < total(wide) / 3,
      `one column read ${total(oneColumn)} bytes, all columns ${total(wide)}`,
    );

    // With a row filter only the filter columns are decoded to count; counts stay exact.
    const filtered = await queryResults(
      {
        outputDir: dir,
        entity_type: "hydros",
        filters: { entity_id: 42, stage_range: [10, 19], limit: 1 },
      },
      directFileAccess,
    );
    assert.equal(filtered.total_rows, 3 * 10);
    assert.deepEqual(filtered.rows[0]?.slice(0, 4), [0, 10, null, 42]);
  });
});
