import assert from "node:assert/strict";
import { parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import type { RandomAccessFile } from "../../src/common/mod.ts";
import { asyncBufferOf } from "../../src/case/read.ts";
import { parquetBytes } from "../../fixtures/case/parquet.ts";

/** A file with one cursor, like a seek+read handle: overlapping reads return wrong bytes. */
function singleCursorFile(
  bytes: Uint8Array,
): RandomAccessFile & { reads: number; overlaps: number } {
  let busy = false;
  const file = {
    size: bytes.length,
    reads: 0,
    overlaps: 0,
    async read(start: number, end: number): Promise<Uint8Array> {
      file.reads++;
      if (busy) file.overlaps++;
      busy = true;
      await new Promise((r) => setTimeout(r, 1));
      busy = false;
      return bytes.slice(start, Math.min(end, bytes.length));
    },
    close() {},
  };
  return file;
}

function manyRowGroups(): { bytes: Uint8Array; rows: number } {
  const rows = 5000; // hyparquet-writer starts a new row group after 1000 rows
  return {
    rows,
    bytes: parquetBytes([
      { name: "hydro_id", type: "INT32", data: Array.from({ length: rows }, (_, i) => i) },
      { name: "mean_m3s", type: "DOUBLE", data: Array.from({ length: rows }, (_, i) => i / 2) },
    ]),
  };
}

Deno.test("asyncBufferOf() never overlaps ranged reads on a single-cursor file", async () => {
  const { bytes, rows } = manyRowGroups();
  const file = singleCursorFile(bytes);
  const data = await parquetReadObjects({ file: asyncBufferOf(file, 0), compressors });
  assert.ok(file.reads > 2, "expected several ranged reads");
  assert.equal(file.overlaps, 0);
  assert.equal(data.length, rows);
  assert.deepEqual(data[4321], { hydro_id: 4321, mean_m3s: 2160.5 });
});

Deno.test("asyncBufferOf() reads a small file once and slices it in memory", async () => {
  const { bytes, rows } = manyRowGroups();
  const file = singleCursorFile(bytes);
  const data = await parquetReadObjects({ file: asyncBufferOf(file), compressors });
  assert.equal(file.reads, 1);
  assert.equal(data.length, rows);
});
