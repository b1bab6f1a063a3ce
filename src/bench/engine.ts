/**
 * Engine benchmark (issue #3 item 6): each case trained and simulated with its own config, then
 * K-iteration runs compared with a K-iteration baseline measured in the same run: every LP
 * rebuilt from scratch for each solve (what persistent stage LPs save), and two solving threads
 * instead of one (what the engine's solver Workers buy). Every measurement runs in a fresh process
 * (`engine_child.ts`), so none inherits another's warm JIT or memory, and its peak RSS is its own.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import type { EngineChildReport, EngineChildRequest } from "./engine_child.ts";
import { duration, formatTable, mebibytes, ratio } from "./tables.ts";

const CHILD = fileURLToPath(new URL("./engine_child.ts", import.meta.url));
const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** What to run. */
export interface EngineBenchOptions {
  /** Case directories (absolute), each run with its own config. */
  cases: readonly { name: string; dir: string }[];
  /** Caps the main run's training iterations (null: the case's own stopping rules). */
  iterations: number | null;
  /** Iterations of the rebuild and two-Worker comparisons (at most the main run's). */
  baselineIterations: number;
  onProgress?: (line: string) => void;
}

/** One case's figures. */
export interface EngineBenchResult {
  name: string;
  main: EngineChildReport;
  /** Iterations the comparisons cover. */
  baselineIterations: number;
  /** K iterations with persistent LPs on one thread: the baseline of the comparisons. */
  persistent: EngineChildReport;
  rebuild: EngineChildReport;
  twoWorkers: EngineChildReport;
}

/** Runs one measurement in a fresh process. */
export async function measureEngine(request: EngineChildRequest): Promise<EngineChildReport> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-worker-options",
      "--config",
      `${REPO}deno.json`,
      CHILD,
      JSON.stringify(request),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout).trim();
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim().split("\n").slice(-5).join("\n");
    throw new Error(`engine measurement of ${request.caseDir} failed:\n${stderr}`);
  }
  return JSON.parse(stdout.split("\n").at(-1)!) as EngineChildReport;
}

/** Runs the engine benchmark over `options.cases`. */
export async function runEngineBenchmark(
  options: EngineBenchOptions,
): Promise<EngineBenchResult[]> {
  const say = options.onProgress ?? (() => {});
  const results: EngineBenchResult[] = [];
  for (const { name, dir } of options.cases) {
    const base = { caseDir: dir, outputDir: null };
    say(`${name}: training and simulation with its own config`);
    const main = await measureEngine({
      ...base,
      lpMode: "persistent",
      workers: 1,
      iterations: options.iterations,
      scenarios: null,
    });
    const k = Math.max(1, Math.min(main.iterations, options.baselineIterations));
    const firstK = { ...base, iterations: k, scenarios: 0 };
    say(`${name}: ${k} iterations, the baseline (persistent LPs, one thread)`);
    const persistent = await measureEngine({ ...firstK, lpMode: "persistent", workers: 1 });
    say(`${name}: ${k} iterations rebuilding every LP from scratch`);
    const rebuild = await measureEngine({ ...firstK, lpMode: "rebuild", workers: 1 });
    say(`${name}: ${k} iterations on two solving threads`);
    const twoWorkers = await measureEngine({ ...firstK, lpMode: "persistent", workers: 2 });
    results.push({
      name,
      main,
      baselineIterations: k,
      persistent,
      rebuild,
      twoWorkers,
    });
  }
  return results;
}

/** The two report tables. */
export function formatEngineReport(results: readonly EngineBenchResult[], source: string): string {
  const runs = formatTable(
    [
      "case",
      "iterations",
      "training",
      "LP solves",
      "solves/s",
      "in HiGHS",
      "simulation",
      "peak RSS",
    ],
    results.map(({ name, main }) => [
      name,
      String(main.iterations),
      duration(main.trainingWallMs),
      String(main.trainingLpSolves),
      (main.trainingLpSolves / (main.trainingWallMs / 1000)).toFixed(0),
      `${(main.trainingSolverShare * 100).toFixed(0)}%`,
      main.simulationLpSolves > 0 ? duration(main.simulationWallMs) : "-",
      mebibytes(main.peakRssBytes),
    ]),
  );
  // Two views of the same runs: the whole run as a user waits for it (setup, HiGHS compile and
  // Worker start-up included, which weigh on a short run), and training alone, which is what a
  // long study spends its time on.
  const baselines = formatTable(
    [
      "case",
      "K",
      "span",
      "persistent",
      "rebuild each LP",
      "ratio",
      "2 threads",
      "speedup",
      "threads used",
    ],
    results.flatMap((r) =>
      (["whole run", "training"] as const).map((span) => {
        const ms = (report: EngineChildReport) =>
          span === "whole run" ? report.wallMs : report.trainingWallMs;
        const baseMs = ms(r.persistent);
        return [
          r.name,
          String(r.baselineIterations),
          span,
          duration(baseMs),
          duration(ms(r.rebuild)),
          ratio(ms(r.rebuild), baseMs),
          duration(ms(r.twoWorkers)),
          ratio(baseMs, ms(r.twoWorkers)),
          String(r.twoWorkers.workers),
        ];
      })
    ),
  );
  return [
    `Engine (cases from ${source}; each figure from a fresh process)`,
    "",
    runs,
    "",
    "K iterations in a fresh process, timed as a whole run (setup, Worker start-up, training) and",
    "as training alone: persistent stage LPs on one thread (the baseline), every LP rebuilt from",
    "scratch for each solve (ratio: times slower), and two solving threads (speedup; results are",
    "identical by construction).",
    "",
    baselines,
  ].join("\n");
}
