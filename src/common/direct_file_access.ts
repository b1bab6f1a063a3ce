/**
 * A `FileAccess` that trusts its caller: no allowlist, no symlink checks. For tests, benchmarks and
 * code paths whose paths were already checked by the sandbox. Never hand it agent input.
 *
 * @module
 */
import { open } from "node:fs/promises";
import type { FileAccess, FileInfo, RandomAccessFile } from "./file_access.ts";
import { readRange } from "./read_range.ts";

async function statOrNull(path: string): Promise<FileInfo | null> {
  try {
    const info = await Deno.stat(path);
    return { isFile: info.isFile, isDirectory: info.isDirectory, size: info.size };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** node:fs errors carry `code`; callers of this contract expect Deno's error classes. */
function asDenoError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ENOENT") return new Deno.errors.NotFound(`No such file: ${String(code)}`);
  if (code === "EISDIR") return new Deno.errors.IsADirectory(`Is a directory: ${String(code)}`);
  if (code === "EACCES" || code === "EPERM") return new Deno.errors.PermissionDenied(String(code));
  return error;
}

async function openRandomAccess(path: string): Promise<RandomAccessFile> {
  const handle = await open(path, "r").catch((error) => {
    throw asDenoError(error);
  });
  const { size } = await handle.stat();
  return {
    size,
    read: (start, end) => readRange(handle, size, start, end),
    close: () => void handle.close().catch(() => undefined),
  };
}

/** Unchecked file access straight onto Deno's file APIs. */
export const directFileAccess: FileAccess = {
  readFile: (path) => Deno.readFile(path),
  openFile: openRandomAccess,
  stat: statOrNull,
  async readDir(path) {
    const names: string[] = [];
    for await (const entry of Deno.readDir(path)) names.push(entry.name);
    return names.sort();
  },
  writeNewFile: (path, data) => Deno.writeFile(path, data, { createNew: true }),
  makeDir: (path) => Deno.mkdir(path, { recursive: true }),
  rename: (from, to) => Deno.rename(from, to),
  remove: (path) => Deno.remove(path, { recursive: true }),
};
