/**
 * Query latency benchmark (issue #4 item 7): `cobre/query-results` over the MCP stdio round trip
 * (a launched read-only server, the full audit chain) against DuckDB answering the same question
 * (`read_parquet` with Hive partitioning) on the same files in the same run.
 *
 * The dataset is a simulation of `scenarios` scenarios of the case (training capped at a few
 * iterations: the policy's quality does not matter here), generated once through the engine and
 * cached by case content, scenario count and iterations. The question is the one an agent asks
 * most: one hydro, every stage, the first 100 scenarios.
 *
 * @module
 */
import { posix } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { DuckDBInstance } from "@duckdb/node-api";
import { launchLine } from "../security/mod.ts";
import { measureEngine } from "./engine.ts";
import { duration, formatTable, quantile, ratio } from "./tables.ts";

/** What to run. */
export interface QueryBenchOptions {
  caseDir: string;
  /** Simulated scenarios in the dataset. */
  scenarios: number;
  /** Training iterations of the dataset's policy. */
  trainingIterations: number;
  /** Timed repetitions of each query (after two warm-ups). */
  repetitions: number;
  /** Where datasets are cached between runs. */
  cacheDir: string;
  onProgress?: (line: string) => void;
}

/** Latency of one way of answering. */
export interface LatencyFigures {
  medianMs: number;
  p95Ms: number;
  rows: number;
}

/** The benchmark's figures. */
export interface QueryBenchResult {
  dataset: string;
  scenarios: number;
  question: string;
  mcp: LatencyFigures;
  duckdb: LatencyFigures;
  /** Seconds spent generating the dataset; null when it came from the cache. */
  generatedS: number | null;
}

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function caseDigest(dir: string): Promise<string> {
  const parts: string[] = [];
  const walk = async (at: string) => {
    const entries = [...Deno.readDirSync(at)].sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith(".") || entry.name === "output") continue;
      const path = posix.join(at, entry.name);
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile) {
        const hash = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
        parts.push(`${posix.relative(dir, path)}:${hex(hash)}`);
      }
    }
  };
  await walk(dir);
  const all = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\n")));
  return hex(all).slice(0, 12);
}

/** The dataset directory (the server's allowed dir), generated unless cached. */
async function ensureDataset(
  options: QueryBenchOptions,
): Promise<{ dir: string; generatedS: number | null }> {
  const key = `${posix.basename(options.caseDir)}-${await caseDigest(
    options.caseDir,
  )}-s${options.scenarios}-i${options.trainingIterations}`;
  const dir = posix.join(options.cacheDir, key);
  const output = posix.join(dir, "output");
  const done = await Deno.stat(`${output}/simulation/_SUCCESS`).then(() => true, () => false);
  if (done) return { dir, generatedS: null };
  options.onProgress?.(
    `generating ${options.scenarios} scenarios of ${posix.basename(options.caseDir)} ` +
      `(once; cached in ${dir})`,
  );
  await Deno.mkdir(dir, { recursive: true });
  const started = performance.now();
  await measureEngine({
    caseDir: options.caseDir,
    lpMode: "persistent",
    workers: 2,
    iterations: options.trainingIterations,
    scenarios: options.scenarios,
    outputDir: output,
  });
  return { dir, generatedS: (performance.now() - started) / 1000 };
}

function figures(samples: number[], rows: number): LatencyFigures {
  const sorted = [...samples].sort((a, b) => a - b);
  return { medianMs: quantile(sorted, 0.5), p95Ms: quantile(sorted, 0.95), rows };
}

async function timed(repetitions: number, run: () => Promise<number>) {
  let rows = 0;
  for (let i = 0; i < 2; i++) rows = await run(); // warm-up: file caches, JIT, DuckDB metadata
  const samples: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    const started = performance.now();
    rows = await run();
    samples.push(performance.now() - started);
  }
  return figures(samples, rows);
}

/** Runs the query benchmark. */
export async function runQueryBenchmark(options: QueryBenchOptions): Promise<QueryBenchResult> {
  const { dir, generatedS } = await ensureDataset(options);
  const output = posix.join(dir, "output");
  const hydros = JSON.parse(await Deno.readTextFile(`${options.caseDir}/system/hydros.json`))
    .hydros as { id: number }[];
  const stages = JSON.parse(await Deno.readTextFile(`${options.caseDir}/stages.json`))
    .stages as { id: number }[];
  const hydro = Math.min(...hydros.map((h) => h.id));
  const firstStage = Math.min(...stages.map((s) => s.id));
  const lastStage = Math.min(firstStage + 11, Math.max(...stages.map((s) => s.id)));
  const lastScenario = Math.min(99, options.scenarios - 1);
  const question = `hydro ${hydro}, stages ${firstStage}-${lastStage}, scenarios 0-${lastScenario}`;

  const stateDir = await Deno.makeTempDir({ prefix: "cobre-bench-state-" });
  const line = await launchLine({
    allowedDirs: [dir],
    stateDir,
    write: false,
    extraServerArgs: ["--log-level", "warning"],
  });
  const client = new Client({ name: "cobre-mcp bench", version: "0" });
  await client.connect(
    new StdioClientTransport({ command: line.command, args: [...line.args], stderr: "inherit" }),
  );
  const instance = await DuckDBInstance.create(":memory:");
  const duck = await instance.connect();
  try {
    await client.listTools();
    options.onProgress?.(`query: ${question}, ${options.repetitions} times each way`);
    const mcp = await timed(options.repetitions, async () => {
      const result = await client.callTool({
        name: "cobre/query-results",
        arguments: {
          output_dir: output,
          entity_type: "hydros",
          filters: {
            entity_id: [hydro],
            stage_range: [firstStage, lastStage],
            scenario_range: [0, lastScenario],
            limit: 10_000,
          },
        },
      });
      if (result.isError) throw new Error(`cobre/query-results failed: ${JSON.stringify(result)}`);
      return (result.structuredContent as { rows: unknown[] }).rows.length;
    });
    const glob = `${output}/simulation/hydros/*/data.parquet`.replaceAll("'", "''");
    // Partition names are zero-padded (scenario_id=0007): typed explicitly, not as strings.
    const sql = `SELECT * FROM read_parquet('${glob}', hive_partitioning = true,
        hive_types = {'scenario_id': INTEGER})
      WHERE hydro_id = ${hydro} AND stage_id BETWEEN ${firstStage} AND ${lastStage}
        AND scenario_id BETWEEN 0 AND ${lastScenario}`;
    const duckdb = await timed(options.repetitions, async () => {
      const reader = await duck.runAndReadAll(sql);
      return reader.getRowObjectsJson().length;
    });
    return { dataset: dir, scenarios: options.scenarios, question, mcp, duckdb, generatedS };
  } finally {
    duck.closeSync();
    instance.closeSync();
    await client.close();
    await Deno.remove(stateDir, { recursive: true });
  }
}

/** The report table. */
export function formatQueryReport(result: QueryBenchResult): string {
  const row = (name: string, f: LatencyFigures) => [
    name,
    String(f.rows),
    duration(f.medianMs),
    duration(f.p95Ms),
    ratio(f.medianMs, result.duckdb.medianMs),
  ];
  const lines = [
    `Query latency (${result.scenarios} simulated scenarios; ${result.question})`,
    `dataset: ${result.dataset}${
      result.generatedS === null ? " (cached)" : ` (generated in ${result.generatedS.toFixed(0)} s)`
    }`,
    "",
    formatTable(["answered by", "rows", "median", "p95", "vs DuckDB"], [
      row("cobre/query-results over MCP stdio", result.mcp),
      row("DuckDB read_parquet, in process", result.duckdb),
    ]),
  ];
  if (result.mcp.rows !== result.duckdb.rows) {
    lines.push(
      "",
      `WARNING: the two answers differ in size (${result.mcp.rows} vs ${result.duckdb.rows} rows)`,
    );
  }
  const within = result.mcp.medianMs <= 2 * result.duckdb.medianMs;
  lines.push("", `goal: within 2x of DuckDB: ${within ? "met" : "NOT met"}`);
  return lines.join("\n");
}
