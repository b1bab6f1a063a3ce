/**
 * The `demo` command: one planner's workflow through the gated host, from a fresh copy of a
 * fixture case to the audit trail of both sides, narrated for someone who has never seen the
 * project. It launches the real server read-write in Deno's sandbox, validates the case, trains
 * and simulates it with a live progress line, charts the convergence (terminal and SVG), and
 * prints what the host's and the server's Flight Recorders kept.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { posix } from "node:path";
import { isCobreError } from "../common/mod.ts";
import type { FlightEventRow } from "../recorder/mod.ts";
import { formatTrail, linkJobs, mergeTrail, readServerFlight } from "./audit_trail.ts";
import { convergencePoints, convergenceSvg, terminalChart } from "./chart.ts";
import { GatedHost } from "./host.ts";
import { defaultHostPolicy } from "./policy.ts";
import { formatElapsed, formatGap, formatNumber, ProgressBar, stderrSink } from "./progress_bar.ts";
import { launchCobreServer, permissionFlags } from "./targets.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
const FIXTURES = `${REPO}/fixtures/case`;
/** The case the demo trains unless `--case` names another fixture. */
export const DEMO_CASE = "two_bus_cascade";

/** Usage of the `demo` command. */
export const DEMO_USAGE = `usage: main.ts demo [--case NAME] [--clean]

  --case NAME   fixture case under fixtures/case (default ${DEMO_CASE})
  --clean       remove the temporary workspace at the end (the SVG chart is kept either way)`;

/** Copies a directory tree (regular files and directories only). */
export async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    const source = posix.join(from, entry.name);
    const target = posix.join(to, entry.name);
    if (entry.isDirectory) await copyTree(source, target);
    else if (entry.isFile) await Deno.copyFile(source, target);
  }
}

interface Out {
  line(text?: string): void;
  step(n: number, title: string, why: string): void;
}

function output(): Out {
  const bold = Deno.stdout.isTerminal() ? (t: string) => `\x1b[1m${t}\x1b[0m` : (t: string) => t;
  return {
    line: (text = "") => console.log(text),
    step(n, title, why) {
      console.log(`\n${bold(`${n}. ${title}`)}`);
      console.log(`   ${why}`);
    },
  };
}

function shorten(text: string, workspace: string): string {
  const short = text.replaceAll(workspace, "<workspace>").replaceAll(REPO, "<repo>");
  // Runtime files deep in node_modules: their file name says what they are.
  const inModules = short.lastIndexOf("/node_modules/");
  return inModules === -1 ? short : `…/${posix.basename(short)}`;
}

function describeFlag(flag: string, workspace: string): string {
  const eq = flag.indexOf("=");
  if (eq === -1) return flag;
  const paths = flag.slice(eq + 1).split(",").map((p) => shorten(p, workspace));
  return `${flag.slice(0, eq)}=${paths.join(",")}`;
}

/** Runs the demo; resolves to the exit code. */
export async function runDemo(argv: readonly string[]): Promise<number> {
  let caseName = DEMO_CASE;
  let clean = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--case" && argv[i + 1] !== undefined) caseName = argv[++i]!;
    else if (argv[i] === "--clean") clean = true;
    else {
      console.error(`cobre-mcp demo: unknown argument "${argv[i]}"\n\n${DEMO_USAGE}`);
      return 2;
    }
  }
  if (!/^[A-Za-z0-9_-]+$/.test(caseName)) {
    console.error(`cobre-mcp demo: "${caseName}" is not a fixture case name`);
    return 2;
  }
  const started = performance.now();
  const out = output();
  const workspace = await Deno.realPath(await Deno.makeTempDir({ prefix: "cobre-demo-" }));
  const cases = `${workspace}/cases`;
  const caseDir = `${cases}/${caseName}`;
  const serverState = `${workspace}/state/server`;
  const hostState = `${workspace}/state/host`;
  let host: GatedHost | null = null;
  try {
    out.line("Cobre MCP — gated host demo");
    out.line(
      "An agent's host launches the Cobre MCP server in Deno's permission sandbox, then validates,\n" +
        "trains and inspects a hydrothermal dispatch study through it. Every message crosses two\n" +
        "gates (host and server) and both sides keep an audit trail.",
    );

    out.step(1, "Workspace", "A fresh copy of a fixture case, so the run writes nowhere else.");
    await copyTree(`${FIXTURES}/${caseName}`, caseDir);
    out.line(`   case      ${caseDir}`);

    out.step(
      2,
      "Launch the server with least privilege",
      "The host computes the Deno flags from the allowed dir; the server can touch nothing else.",
    );
    const target = await launchCobreServer({
      allowedDirs: [cases],
      stateDir: serverState,
      write: true,
    });
    for (const flag of permissionFlags(target)) out.line(`   ${describeFlag(flag, workspace)}`);
    const policy = defaultHostPolicy({ roots: [cases], write: true, preApprove: ["cobre/run"] });
    host = await GatedHost.open({
      policy,
      stateDir: hostState,
      notice: (text) => console.error(`   ${text}`),
    });
    const session = await host.connect(target);
    const tools = (await host.listTools()).map((tool) => tool.name);
    out.line(
      `   connected to ${session.serverName} ${session.serverVersion} (pid ${session.pid}, id ${session.serverId})`,
    );
    out.line(`   ${tools.length} tools: ${tools.join(", ")}`);
    out.line(
      `   host policy "${policy.id}": writes need a person's yes; cobre/run is pre-approved for this demo`,
    );

    out.step(3, "The outbound gate", "Calls outside the allowed dir never leave the host.");
    await Deno.symlink("/etc", `${cases}/innocent-looking-link`);
    for (const path of ["/etc", `${cases}/innocent-looking-link`, `${cases}_evil`]) {
      const denied = await host.callTool("cobre/validate", { case_dir: path });
      out.line(
        `   cobre/validate ${
          shorten(path, workspace).padEnd(36)
        } → ${denied.outcome} (${denied.decision.reason})`,
      );
    }

    out.step(4, "Validate", "The server's 5-layer validation of the case files.");
    const validation = await host.callTool("cobre/validate", { case_dir: caseDir });
    if (validation.outcome !== "ok") throw new DemoFailure("validate", validation.error?.message);
    const report = validation.result.structuredContent as {
      valid: boolean;
      summary: {
        files_checked: number;
        entities_validated: number;
        layers_completed: number;
        warning_count: number;
        error_count: number;
      };
    };
    out.line(
      `   ${
        report.valid ? "valid" : "INVALID"
      }: ${report.summary.files_checked} files, ${report.summary.entities_validated} entities, ` +
        `${report.summary.layers_completed}/5 layers, ${report.summary.error_count} errors, ${report.summary.warning_count} warnings ` +
        `(${validation.durationMs} ms)`,
    );

    out.step(
      5,
      "Train and simulate",
      "SDDP training, then simulation of the trained policy; progress is live.",
    );
    let outputDir: string | null = null;
    if (!tools.includes("cobre/run")) {
      out.line("   this server build does not serve cobre/run yet; skipping training");
    } else {
      const bar = new ProgressBar(stderrSink());
      let updates = 0;
      const run = await host.callTool("cobre/run", { case_dir: caseDir }, {
        onProgress: (p) => {
          updates++;
          bar.update(p);
        },
      });
      bar.finish();
      if (run.outcome !== "ok") throw new DemoFailure("run", run.error?.message);
      const summary = run.result.structuredContent as unknown as RunSummary;
      outputDir = summary.output_dir;
      for (const line of describeRun(summary)) out.line(`   ${line}`);
      out.line(`   outputs in ${shorten(outputDir, workspace)}`);
      out.line(
        `   ${updates} progress notifications reached the host; its job ${run.job?.jobId} ` +
          `(ai_jobs, ${shorten(hostState, workspace)}) ended ${run.job?.status} at progress ` +
          `${run.job?.progress ?? 0}${run.job?.total ? `/${run.job.total}` : ""}`,
      );
    }

    if (outputDir !== null) {
      out.step(
        6,
        "Convergence",
        "The lower bound (L) is the policy's own estimate of its cost; the upper bound (U) is the\n" +
          "   mean cost of the forward passes, a noisy statistical estimate. Close bounds mean a good policy.",
      );
      const convergence = await host.callTool("cobre/query-convergence", { output_dir: outputDir });
      if (convergence.outcome !== "ok") {
        throw new DemoFailure("query-convergence", convergence.error?.message);
      }
      const points = convergencePoints(convergence.result.structuredContent);
      out.line(
        terminalChart(points, { width: 60, height: 12 }).split("\n").map((l) => `   ${l}`).join(
          "\n",
        ),
      );
      // Outside the workspace, so it stays when --clean removes the workspace.
      const svg = await Deno.makeTempFile({
        prefix: `cobre-convergence-${caseName}-`,
        suffix: ".svg",
      });
      await Deno.writeTextFile(svg, convergenceSvg(points, `Convergence of ${caseName}`));
      out.line(`   chart saved as ${svg}`);
    }

    out.step(
      7,
      "Audit trail",
      "What the host's and the server's Flight Recorders kept, in time order.",
    );
    await host.disconnect("demo finished");
    await host.recorder.flush();
    const hostRows: FlightEventRow[] = await host.recorder.query({});
    await host.close();
    host = null;
    const serverRows = await readServerFlight(serverState);
    const trail = mergeTrail(hostRows, serverRows);
    out.line(formatTrail(trail, 120).split("\n").map((l) => `   ${l}`).join("\n"));
    for (const link of linkJobs(trail).filter((l) => l.serverJobId !== null)) {
      out.line(
        `   ${link.toolName}: host job ${link.hostJobId} ⇄ server job ${link.serverJobId} (trace ${link.traceId})`,
      );
    }

    out.line(`\nDone in ${formatElapsed(performance.now() - started)}.`);
    out.line(`Audit trails: main.ts flight --state-dir ${hostState}   (and ${serverState})`);
    if (clean) await Deno.remove(workspace, { recursive: true });
    else out.line(`Workspace kept at ${workspace} (remove it with rm -r).`);
    return 0;
  } catch (error) {
    const message = error instanceof DemoFailure
      ? error.message
      : isCobreError(error)
      ? error.record.message
      : error instanceof Error
      ? error.message
      : String(error);
    console.error(`\ncobre-mcp demo failed: ${message}\nWorkspace kept at ${workspace}.`);
    return 1;
  } finally {
    await host?.close();
  }
}

/** The `cobre/run` result fields the demo prints. */
interface RunSummary {
  status: string;
  output_dir: string;
  training: {
    iterations: number;
    final_lower_bound: number;
    final_upper_bound: number;
    final_gap: number | null;
    termination_reason: string;
    total_cuts: number;
    wall_time_ms: number;
  } | null;
  simulation: { scenarios: number; wall_time_ms: number } | null;
}

/** One line per phase of a `cobre/run` result. */
export function describeRun(summary: RunSummary): string[] {
  const lines: string[] = [];
  const t = summary.training;
  if (t) {
    lines.push(
      `training: ${t.iterations} iterations in ${formatElapsed(t.wall_time_ms)}, stopped by ` +
        `${t.termination_reason}; lower bound ${formatNumber(t.final_lower_bound)}, upper bound ` +
        `${formatNumber(t.final_upper_bound)}, gap ${formatGap(t.final_gap)}, ${t.total_cuts} cuts`,
    );
  }
  const sim = summary.simulation;
  if (sim) {
    lines.push(`simulation: ${sim.scenarios} scenarios in ${formatElapsed(sim.wall_time_ms)}`);
  }
  if (summary.status !== "completed") lines.push(`status: ${summary.status}`);
  return lines;
}

class DemoFailure extends Error {
  constructor(step: string, detail: string | undefined) {
    super(`${step} did not succeed: ${detail ?? "no detail"}`);
  }
}
