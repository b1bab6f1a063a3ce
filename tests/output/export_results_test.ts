import assert from "node:assert/strict";
import { posix } from "node:path";
import { tableFromIPC } from "apache-arrow";
import { directFileAccess, isCobreError } from "../../src/common/mod.ts";
import { exportResults, writeRunOutput } from "../../src/output/mod.ts";
import { CLI_FIXTURE, copyTree, SAMPLE_CONTEXT, sampleRunResult, withTempDir } from "./helpers.ts";

/** Runs `body` on a private copy of the real-CLI fixture (exports write into it). */
function withFixtureCopy(body: (out: string) => Promise<void>): Promise<void> {
  return withTempDir(async (dir) => {
    const out = posix.join(dir, "output");
    await copyTree(CLI_FIXTURE, out);
    await body(out);
  });
}

Deno.test("exportResults() writes filtered CSV under exports/ with a name built from the filters", async () => {
  await withFixtureCopy(async (out) => {
    const result = await exportResults(
      {
        outputDir: out,
        format: "csv",
        entity_type: "lines",
        filters: { entity_id: "SE_S", stage_range: [2, 2], scenario_range: [0, 1] },
      },
      directFileAccess,
    );
    assert.equal(
      result.file_path,
      posix.join(out, "exports/lines_SE_S_stages-2-2_scenarios-0-1.csv"),
    );
    assert.equal(result.rows, 4);
    const text = await Deno.readTextFile(result.file_path);
    assert.equal(result.size_bytes, new TextEncoder().encode(text).byteLength);
    const lines = text.trimEnd().split("\n");
    assert.equal(
      lines[0],
      "scenario_id,stage_id,block_id,line_id,direct_flow_mw,reverse_flow_mw,net_flow_mw," +
        "net_flow_mwh,losses_mw,losses_mwh,exchange_cost,operative_state_code",
    );
    // net_flow_mw = 10 t - b + s; 360 h blocks.
    assert.equal(lines[1], "0,2,0,0,20,0,20,7200,0,0,0,2");
    assert.equal(lines[4], "1,2,1,0,20,0,20,7200,0,0,0,2");
    assert.deepEqual(
      [...Deno.readDirSync(posix.join(out, "exports"))].map((e) => e.name),
      ["lines_SE_S_stages-2-2_scenarios-0-1.csv"],
      "no temporary file is left behind",
    );
  });
});

Deno.test("exportResults() writes JSON records with nulls and costs' null block ids", async () => {
  await withFixtureCopy(async (out) => {
    const result = await exportResults(
      { outputDir: out, format: "json", entity_type: "costs", filters: { scenario_range: [2, 2] } },
      directFileAccess,
    );
    const records = JSON.parse(await Deno.readTextFile(result.file_path));
    assert.equal(records.length, 3);
    assert.deepEqual(
      records.map((
        r: Record<string, unknown>,
      ) => [r.scenario_id, r.stage_id, r.block_id, r.total_cost]),
      [[2, 0, null, 3000], [2, 1, null, 3100], [2, 2, null, 3200]],
    );
  });
});

Deno.test("exportResults() writes an Arrow IPC file with the source column types", async () => {
  await withFixtureCopy(async (out) => {
    const result = await exportResults(
      { outputDir: out, format: "arrow", entity_type: "hydros", filters: { entity_id: 0 } },
      directFileAccess,
    );
    assert.equal(result.rows, 3 * 3 * 2);
    const table = tableFromIPC(await Deno.readFile(result.file_path));
    assert.equal(table.numRows, 18);
    const type = (name: string) => String(table.schema.fields.find((f) => f.name === name)?.type);
    assert.equal(type("scenario_id"), "Int32");
    assert.equal(type("stage_id"), "Int32");
    assert.equal(type("storage_binding_code"), "Int8");
    assert.equal(type("generation_mw"), "Float64");
    const row = table.get(17)?.toJSON();
    // Last row: scenario 2, stage 2, block 1, hydro 0 → generation 2201, evaporation 1.5.
    assert.equal(row?.scenario_id, 2);
    assert.equal(row?.generation_mw, 2201);
    assert.equal(row?.evaporation_m3s, 1.5);
    assert.equal(row?.storage_binding_code, 2);
  });
});

Deno.test("exportResults() exports the convergence log with Int64 columns kept as Int64", async () => {
  await withFixtureCopy(async (out) => {
    const arrow = await exportResults(
      { outputDir: out, format: "arrow", entity_type: "convergence" },
      directFileAccess,
    );
    assert.equal(arrow.file_path, posix.join(out, "exports/convergence.arrow"));
    const table = tableFromIPC(await Deno.readFile(arrow.file_path));
    assert.equal(
      String(table.schema.fields.find((f) => f.name === "time_total_ms")?.type),
      "Int64",
    );
    assert.equal(table.get(3)?.toJSON().time_total_ms, 130n);
    assert.equal(table.get(0)?.toJSON().gap_percent, null);

    const csv = await exportResults(
      { outputDir: out, format: "csv", entity_type: "convergence" },
      directFileAccess,
    );
    assert.equal(csv.rows, 4);
    const second = (await Deno.readTextFile(csv.file_path)).split("\n")[2];
    assert.match(second ?? "", /^2,150,220,20,31\.8181818181818/);

    const filtered = await exportResults(
      {
        outputDir: out,
        format: "csv",
        entity_type: "convergence",
        filters: { stage_range: [0, 1] },
      },
      directFileAccess,
    ).catch((e) => e);
    assert.ok(isCobreError(filtered));
    assert.equal(filtered.record.kind, "InvalidArgument");
  });
});

Deno.test("exportResults() replaces an earlier export of the same name atomically", async () => {
  await withFixtureCopy(async (out) => {
    const request = {
      outputDir: out,
      format: "csv",
      entity_type: "buses",
      filters: { scenario_range: [0, 0] },
    };
    const first = await exportResults(request, directFileAccess);
    const second = await exportResults(
      { ...request, filters: { scenario_range: [0, 0], entity_id: "S" } },
      directFileAccess,
    );
    const again = await exportResults(request, directFileAccess);
    assert.equal(again.file_path, first.file_path);
    assert.notEqual(second.file_path, first.file_path);
    assert.deepEqual(
      [...Deno.readDirSync(posix.join(out, "exports"))].map((e) => e.name).sort(),
      ["buses_S_scenarios-0-0.csv", "buses_scenarios-0-0.csv"],
    );
  });
});

Deno.test("exportResults() rejects unknown formats and entity types, and missing outputs", async () => {
  await withTempDir(async (dir) => {
    const format = await exportResults(
      { outputDir: CLI_FIXTURE, format: "xlsx", entity_type: "hydros" },
      directFileAccess,
    ).catch((e) => e);
    assert.ok(isCobreError(format));
    assert.match(format.record.message, /Unknown format "xlsx"; valid values: csv, json, arrow/);
    const entity = await exportResults(
      { outputDir: CLI_FIXTURE, format: "csv", entity_type: "batteries" },
      directFileAccess,
    ).catch((e) => e);
    assert.ok(isCobreError(entity));
    assert.match(entity.record.message, /convergence/);
    const missing = await exportResults(
      { outputDir: posix.join(dir, "none"), format: "csv", entity_type: "hydros" },
      directFileAccess,
    ).catch((e) => e);
    assert.ok(isCobreError(missing));
    assert.equal(missing.record.kind, "OutputNotFound");
  });
});

Deno.test("exportResults() keeps REQUIRED columns non-nullable in Arrow when the source says so", async () => {
  await withTempDir(async (dir) => {
    const out = posix.join(dir, "output");
    await writeRunOutput(out, directFileAccess, sampleRunResult(2), SAMPLE_CONTEXT);
    const result = await exportResults(
      { outputDir: out, format: "arrow", entity_type: "thermals" },
      directFileAccess,
    );
    const table = tableFromIPC(await Deno.readFile(result.file_path));
    const nullable = Object.fromEntries(table.schema.fields.map((f) => [f.name, f.nullable]));
    assert.equal(nullable.scenario_id, false);
    assert.equal(nullable.stage_id, false);
    assert.equal(nullable.is_gnl, false);
    assert.equal(nullable.block_id, true);
    assert.equal(nullable.gnl_committed_mw, true);
    assert.equal(String(table.schema.fields.find((f) => f.name === "is_gnl")?.type), "Bool");
  });
});
