/**
 * What the sandbox costs per file operation, against the unchecked `directFileAccess`:
 *
 *   npx -y deno@2.9.5 bench -A tests/security/sandbox_bench.ts
 *
 * A case load opens tens of files and a results query a few partitions, so the per-call cost
 * (realpath, stat, open, descriptor check) matters more than bytes per second.
 *
 * @module
 */
import { directFileAccess } from "../../src/common/mod.ts";
import { Sandbox } from "../../src/security/mod.ts";

const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "cobre_sandbox_bench_" }));
await Deno.mkdir(`${base}/cases/study/system`, { recursive: true });
const small = `${base}/cases/study/system/hydros.json`;
const large = `${base}/cases/study/inflows.parquet`;
await Deno.writeFile(small, new Uint8Array(2_000).fill(32));
await Deno.writeFile(large, new Uint8Array(8 * 1024 * 1024).fill(7));
const sandbox = await Sandbox.create([`${base}/cases`]);
const sandboxed = sandbox.access;

globalThis.addEventListener("unload", () => Deno.removeSync(base, { recursive: true }));

Deno.bench("direct readFile 2 kB", { group: "small", baseline: true }, async () => {
  await directFileAccess.readFile(small);
});
Deno.bench("sandboxed readFile 2 kB", { group: "small" }, async () => {
  await sandboxed.readFile(small);
});
Deno.bench("sandbox.resolve only", { group: "small" }, async () => {
  await sandbox.resolve(small, "file");
});

Deno.bench("direct readFile 8 MB", { group: "large", baseline: true }, async () => {
  await directFileAccess.readFile(large);
});
Deno.bench("sandboxed readFile 8 MB", { group: "large" }, async () => {
  await sandboxed.readFile(large);
});

Deno.bench(
  "direct openFile + 16 range reads of 64 kB",
  { group: "ranges", baseline: true },
  async () => {
    const file = await directFileAccess.openFile(large);
    for (let i = 0; i < 16; i++) await file.read(i * 500_000, i * 500_000 + 65_536);
    file.close();
  },
);
Deno.bench("sandboxed openFile + 16 range reads of 64 kB", { group: "ranges" }, async () => {
  const file = await sandboxed.openFile(large);
  for (let i = 0; i < 16; i++) await file.read(i * 500_000, i * 500_000 + 65_536);
  file.close();
});

let counter = 0;
Deno.bench("direct writeNewFile 2 kB", { group: "write", baseline: true }, async () => {
  await directFileAccess.writeNewFile(
    `${base}/cases/study/d${counter++}.bin`,
    new Uint8Array(2_000),
  );
});
Deno.bench("sandboxed writeNewFile 2 kB", { group: "write" }, async () => {
  await sandboxed.writeNewFile(`${base}/cases/study/s${counter++}.bin`, new Uint8Array(2_000));
});
