import assert from "node:assert/strict";
import { isAbsolute } from "node:path";
import process from "node:process";
import { runtimeFiles } from "../../src/common/mod.ts";

async function firstBytes(path: string, count: number): Promise<number[]> {
  const file = await Deno.open(path);
  try {
    const buffer = new Uint8Array(count);
    await file.read(buffer);
    return [...buffer];
  } finally {
    file.close();
  }
}

Deno.test("runtimeFiles() returns canonical absolute paths of existing files", async () => {
  const files = runtimeFiles();
  for (const path of [files.highsWasm, files.duckdbBinding]) {
    assert.ok(isAbsolute(path), path);
    assert.deepEqual(await Deno.realPath(path), path);
    assert.ok((await Deno.stat(path)).isFile, path);
  }
});

Deno.test("runtimeFiles().highsWasm is a WebAssembly module", async () => {
  assert.deepEqual(await firstBytes(runtimeFiles().highsWasm, 4), [0x00, 0x61, 0x73, 0x6d]);
});

Deno.test("runtimeFiles().duckdbBinding is the native library for this platform", async () => {
  const { duckdbBinding } = runtimeFiles();
  assert.match(duckdbBinding, /duckdb\.node$/);
  assert.ok(duckdbBinding.includes(`node-bindings-${process.platform}-${process.arch}`));
  // ELF on Linux, Mach-O on macOS: either way a native library, not a JavaScript shim.
  const magic = await firstBytes(duckdbBinding, 4);
  const elf = [0x7f, 0x45, 0x4c, 0x46];
  const machO64 = [0xcf, 0xfa, 0xed, 0xfe];
  assert.ok([elf, machO64].some((m) => m.every((byte, i) => magic[i] === byte)), String(magic));
});
