/**
 * A `FileAccess` that trusts its caller: no allowlist, no symlink checks. For tests, benchmarks and
 * code paths whose paths were already checked by the sandbox. Never hand it agent input.
 *
 * @module
 */
import type { FileAccess, FileInfo, RandomAccessFile } from "./file_access.ts";

async function statOrNull(path: string): Promise<FileInfo | null> {
  try {
    const info = await Deno.stat(path);
    return { isFile: info.isFile, isDirectory: info.isDirectory, size: info.size };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

async function openRandomAccess(path: string): Promise<RandomAccessFile> {
  const file = await Deno.open(path, { read: true });
  const { size } = await file.stat();
  return {
    size,
    async read(start: number, end: number): Promise<Uint8Array> {
      const stop = Math.min(end, size);
      const out = new Uint8Array(Math.max(0, stop - start));
      await file.seek(start, Deno.SeekMode.Start);
      let filled = 0;
      while (filled < out.length) {
        const n = await file.read(out.subarray(filled));
        if (n === null) break;
        filled += n;
      }
      return out.subarray(0, filled);
    },
    close: () => file.close(),
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
