import assert from "node:assert/strict";
import { directFileAccess, errorRecord, VALIDATION_KINDS } from "../../src/common/mod.ts";

Deno.test("the registry lists exactly the 14 validation kinds of structured-output SS2.3.1", () => {
  assert.deepEqual(VALIDATION_KINDS.length, 14);
  assert.deepEqual(new Set(VALIDATION_KINDS).size, 14);
});

Deno.test("errorRecord() defaults suggestion to null", () => {
  assert.deepEqual(errorRecord("MissingFile", "gone", { file: "config.json" }).suggestion, null);
});

Deno.test("directFileAccess.openFile() reads byte ranges clamped to the file size", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/bytes.bin`;
    await directFileAccess.writeNewFile(path, new Uint8Array([1, 2, 3, 4, 5]));
    const file = await directFileAccess.openFile(path);
    try {
      assert.deepEqual(file.size, 5);
      assert.deepEqual([...await file.read(1, 3)], [2, 3]);
      assert.deepEqual([...await file.read(3, 99)], [4, 5]);
    } finally {
      file.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("directFileAccess.openFile() reports a missing file as Deno.errors.NotFound", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(directFileAccess.openFile(`${dir}/absent.bin`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
