/**
 * Benchmarks run from the command line (`main.ts bench …`). Each prints a readable table.
 *
 * - `bench load [--duration-s 30] [--sessions 50] [--case DIR] [--json]`: concurrent HTTP
 *   sessions against one stdio session, same read-only calls (see `load.ts`).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { formatLoadReport, runLoadBenchmark } from "./load.ts";

export { callMix, formatLoadReport, percentile, runLoadBenchmark } from "./load.ts";
export type { LatencySummary, LoadOptions, TransportResult } from "./load.ts";

/** The small hand-made case the load benchmark calls by default. */
export const DEFAULT_LOAD_CASE = fileURLToPath(
  new URL("../../fixtures/case/tiny_hydrothermal", import.meta.url),
);

export const BENCH_USAGE =
  `usage: main.ts bench load [--duration-s 30] [--sessions 50] [--case DIR] [--json]
  load   N concurrent Streamable HTTP sessions, then one stdio session, calling cobre/validate,
         cobre/inspect-case and cobre/get-config-schema on DIR for the same time each; prints
         throughput, p50/p99 latency, errors and server RSS per transport`;

function positiveNumber(name: string, value: string | undefined): number {
  const parsed = Number(value);
  if (value === undefined || !Number.isFinite(parsed) || parsed <= 0) {
    throw new RangeError(`--${name} needs a positive number, not "${value ?? ""}"`);
  }
  return parsed;
}

/** Runs `main.ts bench <args>`; resolves to the exit code. */
export async function runBenchCommand(args: readonly string[]): Promise<number> {
  const [which, ...rest] = args;
  if (which !== "load") {
    console.error(BENCH_USAGE);
    return which === undefined || which === "--help" ? 0 : 2;
  }
  const options = { durationS: 30, sessions: 50, caseDir: DEFAULT_LOAD_CASE, json: false };
  try {
    for (let i = 0; i < rest.length; i++) {
      const flag = rest[i];
      if (flag === "--duration-s") options.durationS = positiveNumber("duration-s", rest[++i]);
      else if (flag === "--sessions") {
        options.sessions = Math.round(positiveNumber("sessions", rest[++i]));
      } else if (flag === "--case") options.caseDir = rest[++i] ?? "";
      else if (flag === "--json") options.json = true;
      else throw new RangeError(`unknown option ${flag}`);
    }
  } catch (error) {
    console.error(`cobre-mcp bench: ${(error as Error).message}\n\n${BENCH_USAGE}`);
    return 2;
  }
  const results = await runLoadBenchmark({
    ...options,
    onProgress: (line) => console.error(`bench: ${line}`),
  });
  console.log(
    options.json ? JSON.stringify(results, null, 2) : formatLoadReport(results, options.caseDir),
  );
  const errors = results.reduce((sum, r) => sum + r.errors, 0);
  if (errors > 0) console.error(`bench: ${errors} calls failed (the goal is none)`);
  return 0;
}
