/**
 * Test helpers: copy a fixture case into a temporary directory, then break one thing in it.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ErrorRecord } from "../../src/common/mod.ts";
import { type FixtureColumn, parquetBytes } from "../../fixtures/case/parquet.ts";

export const FIXTURES = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "fixtures",
  "case",
);
export const TINY = join(FIXTURES, "tiny_hydrothermal");
export const TWO_BUS = join(FIXTURES, "two_bus_cascade");

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isDirectory) await copyTree(src, dst);
    else await Deno.copyFile(src, dst);
  }
}

/** A scratch copy of a fixture case; `dispose()` removes it. */
export interface ScratchCase {
  dir: string;
  path(rel: string): string;
  readJson(rel: string): Promise<Record<string, unknown>>;
  writeJson(rel: string, value: unknown): Promise<void>;
  // deno-lint-ignore no-explicit-any
  editJson(rel: string, edit: (doc: any) => void): Promise<void>;
  writeText(rel: string, text: string): Promise<void>;
  writeBytes(rel: string, bytes: Uint8Array): Promise<void>;
  writeParquet(rel: string, columns: FixtureColumn[]): Promise<void>;
  remove(rel: string): Promise<void>;
  dispose(): Promise<void>;
}

/** Copies `fixture` into a fresh temporary directory. */
export async function scratchCase(fixture: string = TINY): Promise<ScratchCase> {
  const root = await Deno.makeTempDir({ prefix: "cobre_case_test_" });
  const dir = join(root, "case");
  await copyTree(fixture, dir);
  const path = (rel: string) => join(dir, ...rel.split("/"));
  const write = async (rel: string, bytes: Uint8Array) => {
    await Deno.mkdir(dirname(path(rel)), { recursive: true });
    await Deno.writeFile(path(rel), bytes);
  };
  const readJson = async (rel: string) => JSON.parse(await Deno.readTextFile(path(rel)));
  return {
    dir,
    path,
    readJson,
    writeJson: (rel, value) => write(rel, new TextEncoder().encode(JSON.stringify(value, null, 2))),
    async editJson(rel, edit) {
      const doc = await readJson(rel);
      edit(doc);
      await write(rel, new TextEncoder().encode(JSON.stringify(doc, null, 2)));
    },
    writeText: (rel, text) => write(rel, new TextEncoder().encode(text)),
    writeBytes: write,
    writeParquet: (rel, columns) => write(rel, parquetBytes(columns)),
    remove: (rel) => Deno.remove(path(rel), { recursive: true }),
    dispose: () => Deno.remove(root, { recursive: true }),
  };
}

/** Runs `body` with a scratch copy of `fixture`, always cleaning up. */
export async function withScratch<T>(
  fixture: string,
  body: (scratch: ScratchCase) => Promise<T>,
): Promise<T> {
  const scratch = await scratchCase(fixture);
  try {
    return await body(scratch);
  } finally {
    await scratch.dispose();
  }
}

/** Every string inside a record (message, suggestion, context values), for leak checks. */
export function recordStrings(record: ErrorRecord): string[] {
  const out: string[] = [record.message];
  if (record.suggestion) out.push(record.suggestion);
  const walk = (v: unknown): void => {
    if (typeof v === "string") out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(record.context);
  return out;
}
