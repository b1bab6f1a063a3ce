/**
 * `main.ts conformance <dir>` (`deno task conformance <dir>`): runs every case of a folder
 * through the real server over MCP and compares training's final lower bound with the folder's
 * `expected.json` (`|lb - cost| <= max(abs_tol, 1e-7 * cost)`). Cases without an expected cost
 * are trained and simulated with their own config and their outputs read back with the query
 * tools. The source folder is never written: cases are copied to a temporary workspace first.
 *
 * Prints a table and `N passed, M failed`; the exit code is 1 when any case failed, 2 on bad
 * usage.
 *
 * @module
 */
import { posix } from "node:path";
import { userCwd } from "../common/mod.ts";
import { launchLine } from "../security/mod.ts";
import { isToolNaming, type ToolNaming } from "../server/mod.ts";
import { type ExpectedCost, parseExpected } from "./expected.ts";
import { formatConformanceReport } from "./report.ts";
import { type CaseOutcome, runCasesOverMcp } from "./run_cases.ts";

export { matchesExpected, parseExpected, RELATIVE_TOLERANCE, toleranceOf } from "./expected.ts";
export type { ExpectedCost } from "./expected.ts";
export { formatConformanceReport } from "./report.ts";
export { type CaseOutcome, type CaseVerdict, runCasesOverMcp } from "./run_cases.ts";

/** Usage of the conformance command. */
export const CONFORMANCE_USAGE =
  `usage: main.ts conformance <dir> [--tool-names spec|portable] [--keep]
  Runs every case directory in <dir> with cobre/run through a launched read-write server (on a
  temporary copy), compares the final lower bound with <dir>/expected.json and reads the outputs
  back with the query tools. --keep leaves the temporary workspace (its path is printed).`;

interface ConformanceOptions {
  dir: string;
  naming: ToolNaming;
  keep: boolean;
}

function parseArgs(args: readonly string[]): ConformanceOptions {
  let dir: string | null = null;
  let naming: ToolNaming = "spec";
  let keep = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--tool-names") {
      const value = args[++i] ?? "";
      if (!isToolNaming(value)) throw new RangeError(`--tool-names must be spec or portable`);
      naming = value;
    } else if (arg === "--keep") keep = true;
    else if (arg.startsWith("-")) throw new RangeError(`unknown option ${arg}`);
    else if (dir === null) dir = arg;
    else throw new RangeError(`only one directory, not "${arg}" too`);
  }
  if (dir === null) throw new RangeError("conformance needs a directory of cases");
  return { dir, naming, keep };
}

async function caseNames(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory && !entry.name.startsWith(".")) names.push(entry.name);
  }
  return names.sort();
}

/** Copies a case, leaving out an existing `output/` and hidden entries; links are not followed. */
async function copyCase(from: string, to: string, top = true): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.name.startsWith(".") || (top && entry.name === "output")) continue;
    const source = posix.join(from, entry.name);
    const target = posix.join(to, entry.name);
    if (entry.isDirectory) await copyCase(source, target, false);
    else if (entry.isFile) await Deno.copyFile(source, target);
  }
}

async function readExpected(dir: string): Promise<Map<string, ExpectedCost>> {
  try {
    return parseExpected(await Deno.readTextFile(posix.join(dir, "expected.json")));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return new Map();
    throw error;
  }
}

/** A progress line that rewrites itself on a terminal and stays quiet in logs. */
function progressLine(): { show(name: string, message: string): void; clear(): void } {
  if (!Deno.stderr.isTerminal()) return { show() {}, clear() {} };
  const encoder = new TextEncoder();
  const write = (text: string) => Deno.stderr.writeSync(encoder.encode(text));
  return {
    show: (name, message) => write(`\r\x1b[2K${name}: ${message}`.slice(0, 160)),
    clear: () => write("\r\x1b[2K"),
  };
}

/** Runs `main.ts conformance <args>`; resolves to the exit code. */
export async function runConformanceCommand(args: readonly string[]): Promise<number> {
  let options: ConformanceOptions;
  try {
    options = parseArgs(args);
  } catch (error) {
    console.error(`cobre-mcp conformance: ${(error as Error).message}\n\n${CONFORMANCE_USAGE}`);
    return 2;
  }
  const source = await Deno.realPath(posix.resolve(userCwd(), options.dir));
  const expected = await readExpected(source);
  const names = await caseNames(source);
  const missing = [...expected.keys()].filter((name) => !names.includes(name));
  if (names.length === 0) {
    console.error(`cobre-mcp conformance: no case directories in '${options.dir}'`);
    return 1;
  }

  const workspace = await Deno.realPath(await Deno.makeTempDir({ prefix: "cobre-conformance-" }));
  const casesDir = `${workspace}/cases`;
  const stateDir = `${workspace}/state`;
  try {
    for (const name of names) await copyCase(`${source}/${name}`, `${casesDir}/${name}`);
    await Deno.mkdir(stateDir, { recursive: true });
    const line = await launchLine({
      allowedDirs: [casesDir],
      stateDir,
      write: true,
      toolNames: options.naming,
      extraServerArgs: ["--log-level", "warning"],
    });
    console.error(`conformance: ${names.length} cases from ${source} (working copy ${workspace})`);
    const progress = progressLine();
    const outcomes = await runCasesOverMcp(
      line,
      names.map((name) => ({
        name,
        dir: `${casesDir}/${name}`,
        expected: expected.get(name) ?? null,
      })),
      options.naming,
      progress.show,
    );
    progress.clear();
    const absent: CaseOutcome[] = missing.map((name) => ({
      name,
      expected: expected.get(name)!,
      lowerBound: null,
      verdict: "fail",
      wallMs: 0,
      problem: "listed in expected.json but no such case directory",
    }));
    const all = [...outcomes, ...absent];
    console.log(formatConformanceReport(all));
    return all.some((o) => o.verdict === "fail") ? 1 : 0;
  } finally {
    if (options.keep) console.error(`conformance: workspace kept at ${workspace}`);
    else await Deno.remove(workspace, { recursive: true });
  }
}
