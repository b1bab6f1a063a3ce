import assert from "node:assert/strict";
import { parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { parquetWriteBuffer } from "hyparquet-writer";
import { asyncBufferOf, directFileAccess, type RandomAccessFile } from "../../src/common/mod.ts";

const ROWS = 5000; // hyparquet-writer starts a new row group every 1000 rows

function manyRowGroups(): Uint8Array {
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: "hydro_id", type: "INT32", data: Array.from({ length: ROWS }, (_, i) => i) },
      { name: "mean_m3s", type: "DOUBLE", data: Array.from({ length: ROWS }, (_, i) => i / 2) },
    ],
  });
  return new Uint8Array(buffer);
}

function countingFile(bytes: Uint8Array): RandomAccessFile & { reads: number } {
  const file = {
    size: bytes.length,
    reads: 0,
    read(start: number, end: number): Promise<Uint8Array> {
      file.reads++;
      return Promise.resolve(bytes.slice(start, Math.min(end, bytes.length)));
    },
    close() {},
  };
  return file;
}

Deno.test("asyncBufferOf() over directFileAccess reads every row group right under concurrent chunk reads", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/groups.parquet`;
    await directFileAccess.writeNewFile(path, manyRowGroups());
    const file = await directFileAccess.openFile(path);
    try {
      const rows = await parquetReadObjects({ file: asyncBufferOf(file), compressors });
      assert.equal(rows.length, ROWS);
      for (const i of [0, 999, 1000, 2500, 4321, ROWS - 1]) {
        assert.deepEqual(rows[i], { hydro_id: i, mean_m3s: i / 2 });
      }
    } finally {
      file.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("asyncBufferOf() reads a file below the whole-file size once and slices it in memory", async () => {
  const file = countingFile(manyRowGroups());
  const rows = await parquetReadObjects({ file: asyncBufferOf(file, file.size), compressors });
  assert.equal(file.reads, 1);
  assert.equal(rows.length, ROWS);
});

Deno.test("asyncBufferOf() without a whole-file size reads only ranges", async () => {
  const file = countingFile(manyRowGroups());
  await parquetReadObjects({ file: asyncBufferOf(file), compressors, columns: ["hydro_id"] });
  assert.ok(file.reads > 2, `expected several ranged reads, saw ${file.reads}`);
});

Deno.test("asyncBufferOf() turns a short read into an error instead of shorter data", async () => {
  const bytes = manyRowGroups();
  const truncated: RandomAccessFile = {
    size: bytes.length,
    read: (start, end) => Promise.resolve(bytes.slice(start, Math.min(end, bytes.length) - 1)),
    close() {},
  };
  await assert.rejects(asyncBufferOf(truncated).slice(0, 100), /short read: 99 of 100 bytes/);
});
