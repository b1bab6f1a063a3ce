/**
 * `validate-cases <dir>`: starts the server through its launch line, calls `cobre/validate` over
 * MCP on every case directory in `dir`, prints a table and fails unless every case is valid. It
 * exercises the same path an agent takes (launch flags, stdio, sandbox, tool schemas), so CI
 * catches what a unit test of `validateCase` would not.
 *
 * @module
 */
import { posix } from "node:path";
import type { ProcessSpec } from "./launcher.ts";
import { Client, StdioClientTransport } from "./sdk_client.ts";
import { servedToolName, type ToolNaming } from "./tool_names.ts";
import { COBRE_MCP_VERSION } from "./version.ts";

/** One row of the report. */
export interface CaseValidation {
  name: string;
  valid: boolean;
  errorCount: number;
  warningCount: number;
  layersCompleted: number | null;
  elapsedMs: number;
  /** The first error messages (or the tool failure), for the lines under the table. */
  problems: string[];
}

interface ValidateOutput {
  valid: boolean;
  errors: { kind: string; message: string }[];
  summary: { warning_count: number; layers_completed: number; error_count: number };
}

/** Subdirectories of `dir` that are not hidden, sorted: each is taken to be a case. */
export async function caseDirectories(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory && !entry.name.startsWith(".")) names.push(entry.name);
  }
  return names.sort();
}

function textOf(result: object): string {
  const content = (result as { content?: unknown }).content;
  const blocks = Array.isArray(content) ? content : [];
  const first = blocks[0] as { type?: string; text?: string } | undefined;
  return first?.type === "text" && typeof first.text === "string" ? first.text : "";
}

/** Validates each case in `caseDirs` (absolute) through a server started from `server`. */
export async function validateCasesOverMcp(
  server: ProcessSpec,
  caseDirs: readonly string[],
  naming: ToolNaming,
): Promise<CaseValidation[]> {
  const transport = new StdioClientTransport({
    command: server.command,
    args: [...server.args],
    stderr: "inherit",
    ...(server.env ? { env: server.env } : {}),
  });
  const client = new Client({ name: "cobre-mcp validate-cases", version: COBRE_MCP_VERSION });
  await client.connect(transport);
  const rows: CaseValidation[] = [];
  try {
    await client.listTools(); // lets the client check every result against the output schema
    for (const caseDir of caseDirs) {
      const started = performance.now();
      const result = await client.callTool(
        { name: servedToolName("cobre/validate", naming), arguments: { case_dir: caseDir } },
        undefined,
        { timeout: 120_000 },
      );
      const elapsedMs = Math.round(performance.now() - started);
      const name = posix.basename(caseDir);
      if (result.isError) {
        rows.push({
          name,
          valid: false,
          errorCount: 1,
          warningCount: 0,
          layersCompleted: null,
          elapsedMs,
          problems: [textOf(result)],
        });
        continue;
      }
      const output = result.structuredContent as unknown as ValidateOutput;
      rows.push({
        name,
        valid: output.valid,
        errorCount: output.summary.error_count,
        warningCount: output.summary.warning_count,
        layersCompleted: output.summary.layers_completed,
        elapsedMs,
        problems: output.errors.slice(0, 3).map((e) => `${e.kind}: ${e.message}`),
      });
    }
  } finally {
    await client.close();
  }
  return rows;
}

/** Formats the rows as a fixed-width table with the problems of invalid cases underneath. */
export function formatCaseTable(rows: readonly CaseValidation[]): string {
  const header = ["case", "valid", "errors", "warnings", "layers", "ms"];
  const cells = rows.map((row) => [
    row.name,
    row.valid ? "yes" : "NO",
    String(row.errorCount),
    String(row.warningCount),
    row.layersCompleted === null ? "-" : String(row.layersCompleted),
    String(row.elapsedMs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (values: string[]) =>
    values.map((v, i) => (i === 0 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0)))
      .join("  ").trimEnd();
  const out = [line(header), ...cells.map(line)];
  const valid = rows.filter((row) => row.valid).length;
  out.push("", `${valid}/${rows.length} cases valid`);
  for (const row of rows.filter((r) => !r.valid)) {
    out.push("", `${row.name}:`, ...row.problems.map((p) => `  ${p}`));
  }
  return out.join("\n");
}
