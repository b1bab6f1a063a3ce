/**
 * Starting a recorder Worker with the least privilege it needs: FFI for the one DuckDB binding
 * file, read for that file and its directory, write only where it keeps databases; no env, net,
 * run, sys or dynamic imports. Main-thread side; never imports DuckDB.
 *
 * @module
 */
import { fileURLToPath as fromFileUrl } from "node:url";
import { CobreError, errorRecord } from "../common/mod.ts";

/**
 * The recorder's own source directory. A Worker's modules load under the Worker's permissions,
 * which cannot exceed the parent's: the server's launch line must grant read on this directory.
 */
export const RECORDER_SOURCE_DIR: string = fromFileUrl(new URL(".", import.meta.url)).replace(
  /\/$/,
  "",
);

/** What a recorder Worker is granted. */
export interface WorkerGrants {
  readonly bindingPath: string;
  readonly read: readonly string[];
  readonly write: readonly string[];
}

/** Builds the `CobreError` the recorder reports when it cannot start or run. */
export function recorderError(what: string, detail: string, stateDir: string): CobreError {
  return new CobreError(
    errorRecord(
      "InternalError",
      `The flight recorder ${what}: ${detail}`,
      { state_dir: stateDir, detail },
      "Give the server a writable state directory with free space (--state-dir) and grant --allow-ffi for the DuckDB binding only.",
    ),
  );
}

/** Creates the Worker; throws `CobreError` when the runtime cannot grant what it needs. */
export function spawnScopedWorker(entry: URL, grants: WorkerGrants, stateDir: string): Worker {
  try {
    return new Worker(entry, {
      type: "module",
      deno: {
        permissions: {
          ffi: [grants.bindingPath],
          // A Worker loads its module graph under its own grant, so it reads its own sources.
          read: [RECORDER_SOURCE_DIR, grants.bindingPath, ...grants.read],
          write: [...grants.write],
          env: false,
          net: false,
          run: false,
          sys: false,
          import: false,
        },
      },
    });
  } catch (error) {
    const detail = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    throw recorderError("cannot start its Worker", detail, stateDir);
  }
}
