import assert from "node:assert/strict";
import { posix } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { directFileAccess } from "../../src/common/mod.ts";
import { MAX_JSON_ROWS, parquetValueToJson, readParquetJson } from "../../src/output/mod.ts";
import { withTempDir } from "./helpers.ts";

/** A Parquet file with every SS3.2 case: INT64, DATE, TIMESTAMP, UTF8, NaN, null, a struct. */
function mixedParquet(): Uint8Array {
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: "count", data: [1n, 2n ** 40n, null] },
      {
        name: "day",
        data: [new Date("2026-03-01T00:00:00Z"), null, new Date("1999-12-31T00:00:00Z")],
      },
      { name: "at", data: [new Date("2026-03-01T12:34:56.789Z"), null, new Date(0)] },
      { name: "label", data: ["SE", "ção", null] },
      { name: "ratio", data: [0.5, Number.NaN, Number.POSITIVE_INFINITY] },
      {
        name: "timing",
        data: [{ forward_ms: 1, backward_ms: 2 }, { forward_ms: 3, backward_ms: null }, null],
      },
    ],
    schema: [
      { name: "root", num_children: 6 },
      { name: "count", type: "INT64", repetition_type: "OPTIONAL" },
      { name: "day", type: "INT32", converted_type: "DATE", repetition_type: "OPTIONAL" },
      {
        name: "at",
        type: "INT64",
        converted_type: "TIMESTAMP_MILLIS",
        repetition_type: "OPTIONAL",
      },
      { name: "label", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
      { name: "ratio", type: "DOUBLE", repetition_type: "REQUIRED" },
      { name: "timing", repetition_type: "OPTIONAL", num_children: 2 },
      { name: "forward_ms", type: "INT32", repetition_type: "REQUIRED" },
      { name: "backward_ms", type: "INT32", repetition_type: "OPTIONAL" },
    ],
  });
  return new Uint8Array(buffer);
}

Deno.test("readParquetJson() applies the SS3.2 rules: integers, ISO dates, nulls, dotted struct leaves", async () => {
  await withTempDir(async (dir) => {
    const path = posix.join(dir, "mixed.parquet");
    await Deno.writeFile(path, mixedParquet());
    const table = await readParquetJson(directFileAccess, path, "mixed.parquet");
    assert.deepEqual(table.columns, [
      "count",
      "day",
      "at",
      "label",
      "ratio",
      "timing.forward_ms",
      "timing.backward_ms",
    ]);
    assert.deepEqual(table.rows, [
      [1, "2026-03-01", "2026-03-01T12:34:56.789Z", "SE", 0.5, 1, 2],
      [2 ** 40, null, null, "ção", null, 3, null],
      [null, "1999-12-31", "1970-01-01T00:00:00.000Z", null, null, null, null],
    ]);
    assert.equal(table.total_rows, 3);
    assert.equal(table.truncated, false);
    // The whole result is plain JSON (a BigInt would make this throw).
    assert.deepEqual(JSON.parse(JSON.stringify(table)), table);
  });
});

Deno.test("readParquetJson() stops at the row cap and still reports the exact total", async () => {
  await withTempDir(async (dir) => {
    const path = posix.join(dir, "long.parquet");
    const n = MAX_JSON_ROWS + 5;
    const buffer = parquetWriteBuffer({
      columnData: [{ name: "i", data: Int32Array.from({ length: n }, (_, i) => i), type: "INT32" }],
    });
    await Deno.writeFile(path, new Uint8Array(buffer));
    const capped = await readParquetJson(directFileAccess, path, "long.parquet");
    assert.equal(capped.rows.length, MAX_JSON_ROWS);
    assert.deepEqual(capped.rows.at(-1), [MAX_JSON_ROWS - 1]);
    assert.equal(capped.total_rows, n);
    assert.equal(capped.truncated, true);
    const small = await readParquetJson(directFileAccess, path, "long.parquet", 3);
    assert.deepEqual(small.rows, [[0], [1], [2]]);
  });
});

Deno.test("parquetValueToJson() converts BigInts, non-finite numbers, binary and lists", () => {
  assert.equal(parquetValueToJson(12n), 12);
  assert.equal(parquetValueToJson(Number.NaN), null);
  assert.equal(parquetValueToJson(undefined), null);
  assert.equal(parquetValueToJson(new Uint8Array([104, 105])), "aGk=");
  assert.deepEqual(parquetValueToJson([1n, null, 2.5]), [1, null, 2.5]);
  assert.deepEqual(parquetValueToJson(BigInt64Array.from([3n])), [3]);
});
