/**
 * Merging the segments of ended recorder processes into `fr-archive.duckdb`, so the number of
 * files stays small however many server processes came and went. Worker-only (uses DuckDB).
 *
 * Safe against concurrency and crashes: only the process holding the archive's lock merges; a
 * segment is merged only when its own lock can be taken (its process ended); the archive records
 * each merged segment name in the same transaction as its rows, so a crash before the segment
 * file is deleted never merges it twice.
 *
 * @module
 */
import { join } from "node:path";
import { tryOpenDatabase } from "./duck.ts";
import { createSchema, prepareWriter, readRowsAfter } from "./schema.ts";
import { ARCHIVE_FILE, listSegments, removeDatabaseFile, SNAPSHOT_DIR_PREFIX } from "./segments.ts";

const CHUNK = 5_000;

/** What one merge pass did. */
export interface MergeResult {
  readonly segments: number;
  readonly events: number;
}

const STALE_SNAPSHOT_MS = 3_600_000;

/** Removes snapshot directories a reader left behind (it was killed mid-read) over an hour ago. */
export async function removeStaleSnapshots(dir: string, nowMs: number): Promise<number> {
  let removed = 0;
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isDirectory || !entry.name.startsWith(SNAPSHOT_DIR_PREFIX)) continue;
    const path = join(dir, entry.name);
    const modified = (await Deno.stat(path)).mtime?.getTime() ?? nowMs;
    if (nowMs - modified < STALE_SNAPSHOT_MS) continue;
    await Deno.remove(path, { recursive: true });
    removed += 1;
  }
  return removed;
}

/** Merges every ended segment in `dir` other than `ownSegment`; no-op if another process merges. */
export async function mergeEndedSegments(dir: string, ownSegment: string): Promise<MergeResult> {
  const candidates = (await listSegments(dir)).filter((name) => name !== ownSegment);
  if (candidates.length === 0) return { segments: 0, events: 0 };
  const archive = await tryOpenDatabase(join(dir, ARCHIVE_FILE), false);
  if (archive === null) return { segments: 0, events: 0 };
  let segments = 0;
  let events = 0;
  try {
    const db = archive.connection;
    await createSchema(db);
    await db.run(
      "CREATE TABLE IF NOT EXISTS fr_merged_segments (segment VARCHAR PRIMARY KEY, events BIGINT)",
    );
    const writer = await prepareWriter(db);
    const seen = await db.prepare(
      "SELECT count(*) AS n FROM fr_merged_segments WHERE segment = $1",
    );
    const mark = await db.prepare("INSERT INTO fr_merged_segments VALUES ($1, $2)");
    for (const name of candidates) {
      const path = join(dir, name);
      const segment = await tryOpenDatabase(path, false).catch(() => null);
      if (segment === null) continue; // still in use by a live process, or unreadable
      try {
        seen.bindVarchar(1, name);
        const already = Number((await seen.runAndReadAll()).getRowObjects()[0]?.n ?? 0) > 0;
        if (!already) {
          await createSchema(segment.connection);
          await db.run("BEGIN TRANSACTION");
          let count = 0;
          try {
            for (let after = -1;;) {
              const rows = await readRowsAfter(segment.connection, after, CHUNK);
              if (rows.length === 0) break;
              await writer.write(rows);
              count += rows.length;
              after = rows[rows.length - 1]!.seq;
            }
            mark.bindVarchar(1, name);
            mark.bindBigInt(2, BigInt(count));
            await mark.run();
            await db.run("COMMIT");
          } catch (error) {
            await db.run("ROLLBACK");
            throw error;
          }
          segments += 1;
          events += count;
        }
      } finally {
        segment.close();
      }
      await removeDatabaseFile(path);
    }
  } finally {
    archive.close();
  }
  return { segments, events };
}
