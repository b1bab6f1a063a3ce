/**
 * Opening DuckDB files, for the recorder Workers only (importing this loads the native binding,
 * which needs the FFI permission only the Workers hold).
 *
 * @module
 */
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

/** An open database and its one connection. */
export interface OpenDatabase {
  readonly connection: DuckDBConnection;
  close(): void;
}

/** True when `error` is DuckDB refusing a file another process holds open. */
export function isLockConflict(error: unknown): boolean {
  return error instanceof Error && /Could not set lock|Conflicting lock/i.test(error.message);
}

/** Opens `path` read-write (creating it) or read-only. Throws DuckDB's error unchanged. */
export async function openDatabase(path: string, readOnly: boolean): Promise<OpenDatabase> {
  const options: Record<string, string> = readOnly ? { access_mode: "READ_ONLY" } : {};
  // Native code is outside Deno's sandbox, so DuckDB is fenced by its own settings too: no
  // extension downloads or loads, no SQL access to files other than this database, and the
  // configuration locked so no statement can loosen it.
  options.autoinstall_known_extensions = "false";
  options.autoload_known_extensions = "false";
  options.enable_external_access = "false";
  options.lock_configuration = "true";
  const instance = await DuckDBInstance.create(path, options);
  const connection = await instance.connect();
  return {
    connection,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Like `openDatabase`, but null when another process holds the file. */
export async function tryOpenDatabase(
  path: string,
  readOnly: boolean,
): Promise<OpenDatabase | null> {
  try {
    return await openDatabase(path, readOnly);
  } catch (error) {
    if (isLockConflict(error)) return null;
    throw error;
  }
}

/** One-line message of a DuckDB error, without the host paths and process ids it mentions. */
export function describeError(error: unknown): string {
  // Not common's messageOf: the recorder Worker may read only the DuckDB binding and its own
  // modules, and importing common/mod.ts would need read access to the whole source tree.
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]!.replace(/"\/[^"]*"/g, '"…"').replace(/\(PID \d+\)/g, "").slice(
    0,
    300,
  );
}
