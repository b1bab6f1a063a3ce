/**
 * Starts the engine in its own Worker with the least privilege it needs, so the server's event
 * loop keeps answering other requests during a run and the engine cannot touch the case
 * directories, the state directory, the network or the environment.
 *
 * The Worker gets read access to the HiGHS WebAssembly file and to the server's source modules
 * (solver Workers load from there), nothing else: the case was already loaded by the server
 * through the sandbox and crosses into the Worker as plain data, and the results come back the
 * same way. HiGHS is compiled once per process and handed over as a module.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { runtimeFiles } from "../../common/mod.ts";
import {
  type EngineEvent,
  type RunHandle,
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

/** The most LP-solving threads a run uses on this machine: two where there are two cores. */
export function defaultRunWorkers(): number {
  const cores = typeof navigator !== "undefined" ? navigator.hardwareConcurrency : 1;
  return Math.max(1, Math.min(2, cores || 1));
}

/** LP solves per training iteration from which a second solving thread pays off. */
export const PARALLEL_SOLVES_PER_ITERATION = 200;

/**
 * Threads for one run of `model`, at most `max`. A solver Worker costs about a second to start
 * inside the run Worker, and pays off only when an iteration has hundreds of LP solves: measured
 * on 2 cores, 4ree (~500 solves per iteration) trains 1.1-1.8x faster on two threads, while 1dtoy
 * (44) and the small deterministic cases (4) gain nothing and start slower. Results are identical
 * whatever the count.
 */
export function workersFor(model: CaseModel, max: number): number {
  const passes = model.config.training.forward_passes;
  // Each pass solves every stage forward and every opening of every stage backward.
  const solves = passes * model.stages.reduce((sum, stage) => sum + 1 + stage.num_scenarios, 0);
  return solves >= PARALLEL_SOLVES_PER_ITERATION ? Math.max(1, max) : 1;
}

/** Options of one engine run. */
export interface EngineRunOptions {
  phases: { training: boolean; simulation: boolean };
  /** Most threads that solve LPs (the run Worker plus solver Workers); see `workersFor`. */
  workers?: number;
}

/** Starts `model` in a sandboxed run Worker; events arrive on `onEvent`. */
export async function startEngine(
  model: CaseModel,
  options: EngineRunOptions,
  onEvent: (event: EngineEvent) => void,
): Promise<RunHandle> {
  const runOptions: WorkerRunOptions = {
    phases: options.phases,
    highsWasm: await highsModule(),
    workers: workersFor(model, options.workers ?? 1),
  };
  return startRunWorker(model, runOptions, onEvent, {
    deno: { permissions: engineWorkerPermissions() },
  });
}
