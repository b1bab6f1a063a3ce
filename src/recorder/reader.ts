/**
 * Reading the whole flight history of a state directory: the archive plus every segment, live or
 * ended. Worker-only (uses DuckDB). Files held by a live process are read from a snapshot copy.
 *
 * @module
 */
import { join } from "node:path";
import { tryOpenDatabase } from "./duck.ts";
import type { FlightEventRow, FlightFilter } from "./events.ts";
import { queryEvents } from "./schema.ts";
import { ARCHIVE_FILE, listSegments, removeDatabaseFile, snapshotDatabase } from "./segments.ts";

async function historyFiles(dir: string): Promise<string[]> {
  const names = await listSegments(dir);
  try {
    await Deno.stat(join(dir, ARCHIVE_FILE));
    names.unshift(ARCHIVE_FILE);
  } catch {
    // No archive yet: no recorder has merged anything.
  }
  return names;
}

async function readFile(
  path: string,
  snapshotDir: string,
  filter: FlightFilter,
): Promise<FlightEventRow[]> {
  let database = await tryOpenDatabase(path, true).catch((error) => {
    if (error instanceof Error && /No such file|does not exist/i.test(error.message)) return null;
    throw error;
  });
  let copy: string | null = null;
  if (database === null) {
    try {
      await Deno.stat(path);
    } catch {
      return []; // merged and removed since it was listed
    }
    await Deno.mkdir(snapshotDir, { recursive: true });
    copy = await snapshotDatabase(path, snapshotDir);
    database = await tryOpenDatabase(copy, true);
    if (database === null) throw new Error("a snapshot copy was locked");
  }
  try {
    return await queryEvents(database.connection, filter);
  } catch (error) {
    // A segment whose process died before creating its table has nothing to read.
    if (error instanceof Error && /fr_events does not exist/i.test(error.message)) return [];
    throw error;
  } finally {
    database.close();
    if (copy !== null) await removeDatabaseFile(copy);
  }
}

function compareRows(a: FlightEventRow, b: FlightEventRow): number {
  if (a.tsUtc !== b.tsUtc) return a.tsUtc < b.tsUtc ? -1 : 1;
  if (a.serverId !== b.serverId) return a.serverId < b.serverId ? -1 : 1;
  return a.seq - b.seq;
}

/**
 * Events matching `filter` across all files in `dir`, oldest first, without duplicates. If files
 * were merged or added while reading, reads again (a merge moves events between files).
 */
export async function readHistory(
  dir: string,
  snapshotDir: string,
  filter: FlightFilter,
): Promise<{ rows: FlightEventRow[]; files: number }> {
  const limit = filter.limit ?? 10_000;
  for (let attempt = 0;; attempt++) {
    const files = await historyFiles(dir);
    const byId = new Map<string, FlightEventRow>();
    for (const name of files) {
      for (const row of await readFile(join(dir, name), snapshotDir, filter)) {
        byId.set(row.eventId, row);
      }
    }
    const after = await historyFiles(dir);
    if (attempt < 3 && after.join("\n") !== files.join("\n")) continue;
    const rows = [...byId.values()].sort(compareRows);
    return { rows: filter.newest ? rows.slice(-limit) : rows.slice(0, limit), files: files.length };
  }
}
