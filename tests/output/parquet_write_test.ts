import assert from "node:assert/strict";
import { posix } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { directFileAccess, isCobreError } from "../../src/common/mod.ts";
import {
  CONVERGENCE_TABLE,
  encodeParquet,
  HYDROS_TABLE,
  THERMALS_TABLE,
  writeRunOutput,
} from "../../src/output/mod.ts";
import { SAMPLE_CONTEXT, sampleRunResult, sampleScenario, withTempDir } from "./helpers.ts";

Deno.test("encodeParquet() writes Cobre's physical types: INT32, INT64, DOUBLE, BOOLEAN, INT32+INT_8", () => {
  const bytes = encodeParquet(HYDROS_TABLE, sampleScenario(0).hydros);
  const schema = parquetMetadata(bytes.buffer as ArrayBuffer).schema.slice(1);
  const byName = new Map(schema.map((element) => [element.name, element]));
  const expectations: [string, string, string | undefined, string][] = [
    ["stage_id", "INT32", undefined, "REQUIRED"],
    ["block_id", "INT32", undefined, "OPTIONAL"],
    ["evaporation_m3s", "DOUBLE", undefined, "OPTIONAL"],
    ["generation_mw", "DOUBLE", undefined, "REQUIRED"],
    ["storage_binding_code", "INT32", "INT_8", "REQUIRED"],
    ["operative_state_code", "INT32", "INT_8", "REQUIRED"],
  ];
  for (const [name, type, converted, repetition] of expectations) {
    const element = byName.get(name);
    assert.ok(element, name);
    assert.equal(element.type, type, name);
    assert.equal(element.converted_type, converted, name);
    assert.equal(element.repetition_type, repetition, name);
  }
  assert.deepEqual(schema.map((e) => e.name), HYDROS_TABLE.columns.map((c) => c.name));
});

Deno.test("encodeParquet() writes Int64 columns as INT64 and booleans as BOOLEAN", async () => {
  const convergence = sampleRunResult().training.convergence;
  const bytes = encodeParquet(CONVERGENCE_TABLE, convergence);
  const metadata = parquetMetadata(bytes.buffer as ArrayBuffer);
  const types = Object.fromEntries(metadata.schema.slice(1).map((e) => [e.name, e.type]));
  assert.equal(types.cuts_active, "INT64");
  assert.equal(types.lp_solves, "INT64");
  assert.equal(types.iteration, "INT32");
  const rows = await parquetReadObjects({ file: bytes.buffer as ArrayBuffer });
  assert.equal(rows[2]?.cuts_active, 6n);
  assert.equal(rows[0]?.gap_percent, 50);

  const thermal = encodeParquet(THERMALS_TABLE, sampleScenario(0).thermals);
  const thermalSchema = parquetMetadata(thermal.buffer as ArrayBuffer).schema;
  assert.equal(thermalSchema.find((e) => e.name === "is_gnl")?.type, "BOOLEAN");
});

Deno.test("encodeParquet() writes a zero-row file that keeps the schema", async () => {
  const bytes = encodeParquet(CONVERGENCE_TABLE, []);
  const metadata = parquetMetadata(bytes.buffer as ArrayBuffer);
  assert.equal(Number(metadata.num_rows), 0);
  assert.equal(metadata.schema.length, 1 + 13);
  assert.deepEqual(await parquetReadObjects({ file: bytes.buffer as ArrayBuffer }), []);
});

function rejectsRow(row: Record<string, unknown>, pattern: RegExp) {
  const base = sampleScenario(0).hydros[0] as unknown as Record<string, unknown>;
  assert.throws(
    () => encodeParquet(HYDROS_TABLE, [{ ...base, ...row }]),
    (error: unknown) => isCobreError(error) && pattern.test(error.record.message),
  );
}

Deno.test("encodeParquet() rejects cells that do not fit the column", () => {
  rejectsRow({ stage_id: null }, /"stage_id" is null but the column is not nullable/);
  rejectsRow({ stage_id: 1.5 }, /"stage_id" holds 1.5, not an integer/);
  rejectsRow(
    { storage_binding_code: 200 },
    /"storage_binding_code" holds 200, not an integer in \[-128, 127\]/,
  );
  rejectsRow({ generation_mw: "12" }, /"generation_mw" holds 12, not a number/);
  rejectsRow({ generation_mv: 3 }, /"generation_mv" is not a column of this table/);
});

Deno.test("DuckDB reads our Hive-partitioned output with the exact column types and values", async () => {
  await withTempDir(async (dir) => {
    const out = posix.join(dir, "output");
    await writeRunOutput(out, directFileAccess, sampleRunResult(3), SAMPLE_CONTEXT);
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      const glob = posix.join(out, "simulation/hydros/*/data.parquet");
      const source = `read_parquet('${glob}', hive_partitioning = true)`;
      const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
      const types = Object.fromEntries(
        described.getRowObjectsJson().map((r) => [String(r.column_name), String(r.column_type)]),
      );
      assert.equal(types.stage_id, "INTEGER");
      assert.equal(types.block_id, "INTEGER");
      assert.equal(types.storage_binding_code, "TINYINT");
      assert.equal(types.operative_state_code, "TINYINT");
      assert.equal(types.generation_mw, "DOUBLE");
      assert.equal(types.evaporation_m3s, "DOUBLE");
      // DuckDB keeps zero-padded partition values (`scenario_id=0001`) as text, exactly as it
      // does for outputs of the real CLI; the values still cast to the scenario numbers.
      assert.ok("scenario_id" in types);

      const values = await connection.runAndReadAll(
        `SELECT scenario_id::INTEGER, stage_id, storage_final_hm3, operative_state_code, evaporation_m3s
         FROM ${source} ORDER BY scenario_id, stage_id`,
      );
      assert.deepEqual(
        values.getRows().map((row) => row.map((v) => v === null ? null : Number(v))),
        [
          [0, 0, 60, -2, null],
          [0, 1, 61, -2, null],
          [1, 0, 61, -2, null],
          [1, 1, 62, -2, null],
          [2, 0, 62, -2, null],
          [2, 1, 63, -2, null],
        ],
      );

      const physical = await connection.runAndReadAll(
        `SELECT name, type, repetition_type, converted_type
         FROM parquet_schema('${posix.join(out, "training/convergence.parquet")}')`,
      );
      const rows = physical.getRowObjectsJson();
      const column = (name: string) => rows.find((r) => r.name === name);
      assert.deepEqual(
        [column("cuts_active")?.type, column("cuts_active")?.repetition_type],
        ["INT64", "REQUIRED"],
      );
      assert.deepEqual(
        [column("gap_percent")?.type, column("gap_percent")?.repetition_type],
        ["DOUBLE", "OPTIONAL"],
      );
      const convergence = await connection.runAndReadAll(
        `SELECT sum(time_total_ms)::INTEGER, max(cuts_active)::INTEGER
         FROM read_parquet('${posix.join(out, "training/convergence.parquet")}')`,
      );
      assert.deepEqual(convergence.getRows(), [[90, 6]]);

      const thermals = await connection.runAndReadAll(
        `SELECT any_value(typeof(is_gnl)), bool_or(is_gnl), count(*)::INTEGER
         FROM read_parquet('${posix.join(out, "simulation/thermals/*/data.parquet")}')`,
      );
      assert.deepEqual(thermals.getRows(), [["BOOLEAN", false, 6]]);
    } finally {
      connection.closeSync();
    }
  });
});
