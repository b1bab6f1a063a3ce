/**
 * Reading the flight history of a state directory from outside a running server (the `flight`
 * command). Main-thread side: the DuckDB work happens in a reader Worker with FFI scoped to the
 * binding and write access scoped to a private snapshot directory.
 *
 * @module
 */
import { join } from "node:path";
import { runtimeFiles } from "../common/mod.ts";
import type { FlightEventRow, FlightFilter } from "./events.ts";
import type { ReaderReply, ReaderRequest } from "./protocol.ts";
import { recorderDir, SNAPSHOT_DIR_PREFIX } from "./segments.ts";
import { recorderError, spawnScopedWorker } from "./spawn.ts";

/** Options for `readFlightEvents`. */
export interface ReadFlightOptions {
  /** Absolute path of the DuckDB binding (default: `runtimeFiles().duckdbBinding`). */
  readonly bindingPath?: string;
}

/**
 * Events of every recorder process that used `stateDir` (ended or still running), filtered,
 * oldest first. Files a live server holds are read from snapshot copies, so this works while
 * servers run. Throws `CobreError` when the history cannot be read.
 */
export async function readFlightEvents(
  stateDir: string,
  filter: FlightFilter = {},
  options: ReadFlightOptions = {},
): Promise<{ rows: FlightEventRow[]; files: number }> {
  const dir = recorderDir(stateDir);
  try {
    await Deno.stat(dir);
  } catch {
    return { rows: [], files: 0 };
  }
  const snapshotDir = join(dir, `${SNAPSHOT_DIR_PREFIX}${crypto.randomUUID()}`);
  const bindingPath = options.bindingPath ?? runtimeFiles().duckdbBinding;
  const worker = spawnScopedWorker(
    new URL("./reader_worker.ts", import.meta.url),
    { bindingPath, read: [dir], write: [snapshotDir] },
    stateDir,
  );
  try {
    const reply = await new Promise<ReaderReply>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<ReaderReply>) => resolve(event.data);
      worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        reject(recorderError("reader failed", event.message, stateDir));
      };
      const request: ReaderRequest = { type: "read", dir, snapshotDir, filter };
      worker.postMessage(request);
    });
    if (reply.type === "failed") {
      throw recorderError("cannot read its history", reply.message, stateDir);
    }
    return { rows: reply.rows, files: reply.files };
  } finally {
    worker.terminate();
  }
}
