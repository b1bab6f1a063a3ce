/**
 * Runs conformance cases through a real server over MCP, exactly as an agent would: one server
 * process started from the least-privilege launch line (read-write on a temporary copy of the
 * cases, never on the source folder), one `cobre/run` per case with progress, then a read-back
 * of the outputs with `cobre/query-results` (or `cobre/query-convergence` when the case does not
 * simulate), so what the run wrote is proven readable by the query tools.
 *
 * @module
 */
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { LaunchLine } from "../security/mod.ts";
import { COBRE_MCP_VERSION, servedToolName, type ToolNaming } from "../server/mod.ts";
import { type ExpectedCost, matchesExpected } from "./expected.ts";

/** How one case ended. */
export type CaseVerdict = "pass" | "fail" | "ran";

/** One row of the report. */
export interface CaseOutcome {
  name: string;
  expected: ExpectedCost | null;
  /** Training's final lower bound; null when the run failed before one existed. */
  lowerBound: number | null;
  verdict: CaseVerdict;
  wallMs: number;
  /** Why a case failed (the error record's kind and message, or the read-back failure). */
  problem: string | null;
}

/** A run's structured result, as far as conformance reads it. */
interface RunResult {
  status: string;
  output_dir: string;
  training: { final_lower_bound: number; iterations: number } | null;
  simulation: { scenarios: number } | null;
}

/** Optional live progress, e.g. one updating line on a terminal. */
export type ProgressSink = (caseName: string, message: string) => void;

function textOf(result: object): string {
  const content = (result as { content?: { type?: string; text?: string }[] }).content;
  const first = content?.[0];
  return first?.type === "text" && typeof first.text === "string" ? first.text : "";
}

function problemOf(result: object): string {
  try {
    const record = JSON.parse(textOf(result)) as { kind?: string; message?: string };
    return `${record.kind ?? "Error"}: ${record.message ?? ""}`;
  } catch {
    return textOf(result).slice(0, 300);
  }
}

/** Reads the outputs back through the query tools; returns a problem, or null when readable. */
async function readBack(
  client: Client,
  run: RunResult,
  naming: ToolNaming,
): Promise<string | null> {
  const simulated = run.simulation !== null && run.simulation.scenarios > 0;
  const result = simulated
    ? await client.callTool({
      name: servedToolName("cobre/query-results", naming),
      arguments: { output_dir: run.output_dir, entity_type: "costs", filters: { limit: 10 } },
    })
    : await client.callTool({
      name: servedToolName("cobre/query-convergence", naming),
      arguments: { output_dir: run.output_dir },
    });
  if (result.isError) return `outputs not readable: ${problemOf(result)}`;
  const content = result.structuredContent as { rows?: unknown[]; iterations?: unknown[] };
  const rows = simulated ? content.rows : content.iterations;
  return Array.isArray(rows) && rows.length > 0 ? null : "outputs read back empty";
}

function judge(run: RunResult, expected: ExpectedCost | null): CaseVerdict {
  if (run.status !== "completed" || run.training === null) return "fail";
  if (expected === null) return "ran";
  return matchesExpected(run.training.final_lower_bound, expected) ? "pass" : "fail";
}

/**
 * Runs every case in `caseDirs` (absolute, inside the server's allowed dirs) on one server
 * started from `line`. Cases run one after another (the server runs one training at a time).
 */
export async function runCasesOverMcp(
  line: LaunchLine,
  cases: readonly { name: string; dir: string; expected: ExpectedCost | null }[],
  naming: ToolNaming,
  onProgress: ProgressSink = () => {},
): Promise<CaseOutcome[]> {
  const transport = new StdioClientTransport({
    command: line.command,
    args: [...line.args],
    stderr: "inherit",
  });
  const client = new Client({ name: "cobre-mcp conformance", version: COBRE_MCP_VERSION });
  await client.connect(transport);
  const outcomes: CaseOutcome[] = [];
  try {
    await client.listTools(); // the client then checks each result against its output schema
    for (const { name, dir, expected } of cases) {
      const started = performance.now();
      const result = await client.callTool(
        { name: servedToolName("cobre/run", naming), arguments: { case_dir: dir } },
        undefined,
        {
          onprogress: (p) => onProgress(name, p.message ?? `progress ${p.progress}`),
          // Training has no time limit; a run that stops reporting progress for 10 min is stuck.
          timeout: 600_000,
          resetTimeoutOnProgress: true,
        },
      );
      const wallMs = performance.now() - started;
      if (result.isError) {
        outcomes.push({
          name,
          expected,
          lowerBound: null,
          verdict: "fail",
          wallMs,
          problem: problemOf(result),
        });
        continue;
      }
      const run = result.structuredContent as unknown as RunResult;
      let verdict = judge(run, expected);
      let problem = verdict === "fail"
        ? run.status !== "completed" ? `run ended ${run.status}` : "lower bound outside tolerance"
        : null;
      if (verdict !== "fail") {
        problem = await readBack(client, run, naming);
        if (problem !== null) verdict = "fail";
      }
      outcomes.push({
        name,
        expected,
        lowerBound: run.training?.final_lower_bound ?? null,
        verdict,
        wallMs,
        problem,
      });
    }
  } finally {
    await client.close();
  }
  return outcomes;
}
