/**
 * Starts the engine in its own Worker with the least privilege it needs, so the server's event
 * loop keeps answering other requests during a run and the engine cannot touch the case
 * directories, the state directory, the network or the environment.
 *
 * The Worker gets read access to the HiGHS WebAssembly file and to the server's source modules
 * (solver Workers load from there), nothing else: the case was already loaded by the server
 * through the sandbox and crosses into the Worker as plain data, and the results (events,
 * simulation batches as they finish, the final result) come back the same way. HiGHS is compiled once per process and handed over as a module.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { runtimeFiles } from "../../common/mod.ts";
import {
  type RunHandle,
  type RunListeners,
  startRunWorker,
  type WorkerRunOptions,
} from "../../engine/mod.ts";
import type { CaseModel } from "../../case/mod.ts";

/**
 * The source folder: solver Workers started inside the run Worker load their modules (the engine
 * and what it imports) from there, and a nested Worker's imports are permission-checked.
 */
const SOURCE_DIR = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");

let compiled: Promise<WebAssembly.Module> | null = null;

/** HiGHS compiled once per process; a failed compile is retried on the next call. */
function highsModule(): Promise<WebAssembly.Module> {
  compiled ??= Deno.readFile(runtimeFiles().highsWasm).then((bytes) => WebAssembly.compile(bytes));
  compiled.catch(() => (compiled = null));
  return compiled;
}

/** The run Worker's permissions: read the solver and the source code, nothing more. */
export function engineWorkerPermissions(): Deno.PermissionOptionsObject {
  return {
    read: [runtimeFiles().highsWasm, SOURCE_DIR],
    write: false,
    net: false,
    env: false,
    run: false,
    ffi: false,
    sys: false,
    import: false,
  };
}

/** Options of one engine run. */
export interface EngineRunOptions {
  phases: { training: boolean; simulation: boolean };
  /**
   * Threads that solve LPs (the run Worker plus solver Workers). Default "auto": the engine adds
   * solver Workers only for cases with enough LP solves per iteration to pay for starting them.
   */
  workers?: number | "auto";
}

/** Starts `model` in a sandboxed run Worker; events and simulation batches go to `listeners`. */
export async function startEngine(
  model: CaseModel,
  options: EngineRunOptions,
  listeners: RunListeners,
): Promise<RunHandle> {
  const runOptions: WorkerRunOptions = {
    phases: options.phases,
    highsWasm: await highsModule(),
    workers: options.workers ?? "auto",
  };
  return startRunWorker(model, runOptions, listeners, {
    deno: { permissions: engineWorkerPermissions() },
  });
}
