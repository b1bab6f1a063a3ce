/**
 * Benchmarks run from the command line (`main.ts bench …`, `deno task bench`): the one place a
 * person runs to see the figures. Each section prints a readable table, with ratios against a
 * baseline measured in the same run.
 *
 * - `engine`: 1dtoy and 4ree (or the fixtures standing in for them) trained and simulated with
 *   their own configs; the rebuild-every-LP and two-thread comparisons (see `engine.ts`).
 * - `query`: `cobre/query-results` over MCP against DuckDB on a 2000-scenario simulation
 *   (see `query.ts`).
 * - `load`: concurrent Streamable HTTP sessions against one stdio session (see `load.ts`).
 * - `micro`: the `deno bench` files under `tests/` (see `micro.ts`).
 *
 * Without a section, all of them run in that order.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { formatEngineReport, runEngineBenchmark } from "./engine.ts";
import { formatLoadReport, runLoadBenchmark } from "./load.ts";
import { runMicroBenchmarks } from "./micro.ts";
import { formatQueryReport, runQueryBenchmark } from "./query.ts";

export { callMix, formatLoadReport, percentile, runLoadBenchmark } from "./load.ts";
export type { LatencySummary, LoadOptions, TransportResult } from "./load.ts";
export {
  type EngineBenchOptions,
  type EngineBenchResult,
  formatEngineReport,
  measureEngine,
  runEngineBenchmark,
} from "./engine.ts";
export type { EngineChildReport, EngineChildRequest } from "./engine_child.ts";
export {
  formatQueryReport,
  type LatencyFigures,
  type QueryBenchOptions,
  type QueryBenchResult,
  runQueryBenchmark,
} from "./query.ts";
export { benchFiles, runMicroBenchmarks } from "./micro.ts";
export { duration, formatTable, mebibytes, quantile, ratio } from "./tables.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");

/** The small hand-made case the load benchmark calls by default. */
export const DEFAULT_LOAD_CASE = `${REPO}/fixtures/case/tiny_hydrothermal`;

/** Where the real Cobre example cases sit when this checkout is next to them. */
export const SHARED_CASES = `${REPO}/../shared/cases`;

/** Stand-ins for 1dtoy and 4ree when the shared cases are absent. */
const FIXTURE_CASES = [
  { name: "stochastic_par (for 1dtoy)", dir: `${REPO}/fixtures/engine/stochastic_par` },
  { name: "two_bus_cascade (for 4ree)", dir: `${REPO}/fixtures/case/two_bus_cascade` },
];

const SECTIONS = ["engine", "query", "load", "micro"] as const;
type Section = typeof SECTIONS[number];

export const BENCH_USAGE = `usage: main.ts bench [engine|query|load|micro ...] [options]
  engine  1dtoy and 4ree with their own configs: wall time, iterations, LP solves, solves/s,
          share in HiGHS, peak RSS; then K iterations rebuilding every LP, and on 2 threads
  query   cobre/query-results over MCP stdio vs DuckDB read_parquet, one hydro x 12 stages x
          100 scenarios of a 2000-scenario 4ree simulation (generated once, cached)
  load    N concurrent Streamable HTTP sessions, then one stdio session, calling read-only tools
  micro   the deno bench files under tests/
  (no section: all four)

options:
  --quick                 short everything: 10 training iterations, K=5, 10 repetitions, 5 s load
  --cases-dir DIR         where 1dtoy and 4ree are (default ../shared/cases, else fixtures)
  --iterations N          cap the engine runs' training iterations (default: the case's own)
  --baseline-iterations K iterations of the rebuild and 2-thread comparisons (default 16)
  --scenarios N           simulated scenarios of the query dataset (default 2000)
  --repetitions N         timed repetitions per query (default 30)
  --cache-dir DIR         where query datasets are kept (default $TMPDIR/cobre-mcp-bench)
  --duration-s S --sessions N --case DIR   load options (default 30 s, 50 sessions)
  --json                  load: print JSON instead of the table`;

interface BenchOptions {
  sections: Section[];
  casesDir: string | null;
  iterations: number | null;
  baselineIterations: number;
  scenarios: number;
  repetitions: number;
  cacheDir: string;
  durationS: number;
  sessions: number;
  loadCase: string;
  json: boolean;
}

function positiveNumber(name: string, value: string | undefined): number {
  const parsed = Number(value);
  if (value === undefined || !Number.isFinite(parsed) || parsed <= 0) {
    throw new RangeError(`--${name} needs a positive number, not "${value ?? ""}"`);
  }
  return parsed;
}

function tempDir(): string {
  try {
    return Deno.env.get("TMPDIR") ?? "/tmp";
  } catch {
    return "/tmp";
  }
}

function parseBenchArgs(args: readonly string[]): BenchOptions {
  const options: BenchOptions = {
    sections: [],
    casesDir: null,
    iterations: null,
    baselineIterations: 16,
    scenarios: 2000,
    repetitions: 30,
    cacheDir: `${tempDir()}/cobre-mcp-bench`,
    durationS: 30,
    sessions: 50,
    loadCase: DEFAULT_LOAD_CASE,
    json: false,
  };
  let quick = false;
  const set = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = () => args[++i];
    const flag = arg.replace(/^--/, "");
    set.add(flag);
    if ((SECTIONS as readonly string[]).includes(arg)) options.sections.push(arg as Section);
    else if (arg === "--quick") quick = true;
    else if (arg === "--cases-dir") options.casesDir = next() ?? "";
    else if (arg === "--iterations") options.iterations = positiveNumber(flag, next());
    else if (arg === "--baseline-iterations") {
      options.baselineIterations = positiveNumber(flag, next());
    } else if (arg === "--scenarios") options.scenarios = Math.round(positiveNumber(flag, next()));
    else if (arg === "--repetitions") {
      options.repetitions = Math.round(positiveNumber(flag, next()));
    } else if (arg === "--cache-dir") options.cacheDir = next() ?? "";
    else if (arg === "--duration-s") options.durationS = positiveNumber(flag, next());
    else if (arg === "--sessions") options.sessions = Math.round(positiveNumber(flag, next()));
    else if (arg === "--case") options.loadCase = next() ?? "";
    else if (arg === "--json") options.json = true;
    else throw new RangeError(`unknown argument ${arg}`);
  }
  if (quick) {
    if (!set.has("iterations")) options.iterations = 10;
    if (!set.has("baseline-iterations")) options.baselineIterations = 5;
    if (!set.has("repetitions")) options.repetitions = 10;
    if (!set.has("duration-s")) options.durationS = 5;
    if (!set.has("sessions")) options.sessions = 20;
  }
  if (options.sections.length === 0) options.sections = [...SECTIONS];
  return options;
}

async function isDir(path: string): Promise<boolean> {
  return await Deno.stat(path).then((info) => info.isDirectory, () => false);
}

/** 1dtoy and 4ree from the cases dir, or the fixtures standing in for them. */
async function engineCases(casesDir: string | null) {
  const dir = casesDir ?? SHARED_CASES;
  if (await isDir(`${dir}/1dtoy`) && await isDir(`${dir}/4ree`)) {
    const real = await Deno.realPath(dir);
    return {
      source: real,
      cases: [{ name: "1dtoy", dir: `${real}/1dtoy` }, { name: "4ree", dir: `${real}/4ree` }],
    };
  }
  if (casesDir !== null) throw new RangeError(`no 1dtoy and 4ree under ${casesDir}`);
  return { source: `${REPO}/fixtures (../shared/cases not found)`, cases: FIXTURE_CASES };
}

/** Runs `main.ts bench <args>`; resolves to the exit code. */
export async function runBenchCommand(args: readonly string[]): Promise<number> {
  if (args[0] === "--help" || args[0] === "help") {
    console.log(BENCH_USAGE);
    return 0;
  }
  let options: BenchOptions;
  try {
    options = parseBenchArgs(args);
  } catch (error) {
    console.error(`cobre-mcp bench: ${(error as Error).message}\n\n${BENCH_USAGE}`);
    return 2;
  }
  const say = (line: string) => console.error(`bench: ${line}`);
  const { source, cases } = await engineCases(options.casesDir);
  let code = 0;
  for (const section of options.sections) {
    if (section === "engine") {
      const results = await runEngineBenchmark({
        cases,
        iterations: options.iterations,
        baselineIterations: options.baselineIterations,
        onProgress: say,
      });
      console.log(`\n${formatEngineReport(results, source)}\n`);
    } else if (section === "query") {
      const result = await runQueryBenchmark({
        caseDir: cases[cases.length - 1]!.dir,
        scenarios: options.scenarios,
        trainingIterations: 10,
        repetitions: options.repetitions,
        cacheDir: options.cacheDir,
        onProgress: say,
      });
      console.log(`\n${formatQueryReport(result)}\n`);
    } else if (section === "load") {
      const results = await runLoadBenchmark({
        durationS: options.durationS,
        sessions: options.sessions,
        caseDir: options.loadCase,
        onProgress: say,
      });
      console.log(
        options.json
          ? JSON.stringify(results, null, 2)
          : `\n${formatLoadReport(results, options.loadCase)}\n`,
      );
      const errors = results.reduce((sum, r) => sum + r.errors, 0);
      if (errors > 0) say(`${errors} calls failed (the goal is none)`);
    } else {
      console.log("\nMicro-benchmarks (deno bench, tests/**/*_bench.ts)\n");
      if (await runMicroBenchmarks() !== 0) code = 1;
    }
  }
  return code;
}
