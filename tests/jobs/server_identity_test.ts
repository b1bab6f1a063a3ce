import assert from "node:assert/strict";
import { join } from "node:path";
import { CobreError } from "../../src/common/mod.ts";
import { loadOrCreateServerId } from "../../src/jobs/mod.ts";

Deno.test("loadOrCreateServerId() gives a state dir one stable id, even to racing starts", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ids = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateServerId(dir)));
    assert.equal(new Set(ids).size, 1);
    assert.match(ids[0]!, /^srv-[0-9a-f-]{36}$/);
    assert.equal(await loadOrCreateServerId(dir), ids[0]);
    const other = await Deno.makeTempDir();
    try {
      assert.notEqual(await loadOrCreateServerId(other), ids[0]);
    } finally {
      await Deno.remove(other, { recursive: true });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadOrCreateServerId() refuses a tampered id file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "server_id"), "ref://evil/../x\n");
    await assert.rejects(loadOrCreateServerId(dir), (error: unknown) => {
      assert.ok(error instanceof CobreError);
      assert.equal(error.record.kind, "InternalError");
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
