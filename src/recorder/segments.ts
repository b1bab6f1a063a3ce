/**
 * Where recorder files live and how a reader gets a consistent copy of one that is in use.
 *
 * DuckDB holds an exclusive lock on a database file for as long as a process has it open, and a
 * read-only open from another process fails while that lock is held. So each recorder process
 * writes its own segment file (`fr-<start time>-<random>.duckdb`, never shared); segments of
 * processes that have ended are merged into `fr-archive.duckdb` by the next recorder that starts.
 * A reader opens every file read-only; for a file still locked by a live process it copies the
 * database and its WAL into a private snapshot directory and opens the copy.
 *
 * No DuckDB here: this module only names, lists and copies files.
 *
 * @module
 */
import { join } from "node:path";

/** Name of the merged history file. */
export const ARCHIVE_FILE = "fr-archive.duckdb";

/** Prefix of a reader's private snapshot directory (removed by the writer once stale). */
export const SNAPSHOT_DIR_PREFIX = ".snapshot-";

const SEGMENT_NAME = /^fr-\d{8}T\d{9}Z-[0-9a-f]{16}\.duckdb$/;

/** The recorder's directory inside the server state directory. */
export function recorderDir(stateDir: string): string {
  return join(stateDir, "recorder");
}

/** A fresh, unique segment file name for a recorder starting at `nowMs`. */
export function newSegmentName(nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:.]/g, "");
  const random = Array.from(
    crypto.getRandomValues(new Uint8Array(8)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  return `fr-${stamp}-${random}.duckdb`;
}

/** True for names `newSegmentName` produces (so a reader never opens a stray file). */
export function isSegmentName(name: string): boolean {
  return SEGMENT_NAME.test(name);
}

/** Segment names in `dir`, oldest first. */
export async function listSegments(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && isSegmentName(entry.name)) names.push(entry.name);
  }
  return names.sort();
}

/** Removes a database file and its WAL. */
export async function removeDatabaseFile(path: string): Promise<void> {
  for (const file of [path, `${path}.wal`]) {
    await Deno.remove(file).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }
}

async function statOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

function sameFile(a: Deno.FileInfo | null, b: Deno.FileInfo | null): boolean {
  return a?.size === b?.size && a?.mtime?.getTime() === b?.mtime?.getTime();
}

/**
 * Copies `path` and its WAL into `snapshotDir` and returns the copy's path. The WAL only grows
 * between checkpoints; a checkpoint rewrites the main file and truncates the WAL. A copy taken
 * while neither changed (or while only the WAL grew: a torn last entry is dropped on replay like
 * after a crash) is consistent; otherwise it retries.
 */
export async function snapshotDatabase(
  path: string,
  snapshotDir: string,
  attempts = 8,
): Promise<string> {
  const target = join(snapshotDir, `${crypto.randomUUID()}.duckdb`);
  for (let attempt = 0; attempt < attempts; attempt++) {
    const mainBefore = await statOrNull(path);
    const walBefore = await statOrNull(`${path}.wal`);
    await removeDatabaseFile(target);
    await Deno.copyFile(path, target);
    if (walBefore !== null) {
      await Deno.copyFile(`${path}.wal`, `${target}.wal`).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    }
    const mainAfter = await statOrNull(path);
    const walAfter = await statOrNull(`${path}.wal`);
    const walShrank = (walAfter?.size ?? 0) < (walBefore?.size ?? 0);
    if (sameFile(mainBefore, mainAfter) && !walShrank) return target;
    await new Promise((resolve) => setTimeout(resolve, 10 * (attempt + 1)));
  }
  throw new Error("the database kept changing while it was copied");
}
