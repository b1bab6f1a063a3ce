/**
 * Load benchmark of the transports: N concurrent Streamable HTTP sessions against one server,
 * then one stdio session against another, each calling the same read-only tools on the same
 * case for the same time. Both servers are real processes started by their least-privilege
 * launch lines, with the full audit chain (Gate, job store, Flight Recorder) and, over HTTP,
 * the event store. Reported per transport: calls, throughput, p50/p99 latency, errors, and the
 * server's resident memory idle, at its peak during the run, and after it.
 *
 * Clients and servers share the machine, so the numbers describe the whole loop on this box,
 * not a server in isolation. Memory and CPU come from `/proc/<pid>` (Linux), which Deno lets
 * only an `-A` process read: hence `deno task bench` runs with `-A`; the servers it measures
 * still run under their own least-privilege launch lines.
 *
 * @module
 */
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { messageOf } from "../common/mod.ts";
import { launchLine } from "../security/mod.ts";
import { DenoStdioTransport } from "../server/mod.ts";
import { formatTable } from "./tables.ts";

/** What to run. */
export interface LoadOptions {
  /** Seconds each transport is loaded. */
  durationS: number;
  /** Concurrent HTTP sessions. */
  sessions: number;
  /** A Cobre case directory (its parent becomes the allowed dir). */
  caseDir: string;
  /** Progress lines for the person watching (stderr). */
  onProgress?: (line: string) => void;
}

/** Latency summary of one tool or one transport. */
export interface LatencySummary {
  calls: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

/** One transport's result. */
export interface TransportResult extends LatencySummary {
  transport: "http" | "stdio";
  sessions: number;
  durationS: number;
  callsPerSecond: number;
  byTool: Record<string, LatencySummary>;
  /** Server RSS in bytes (null where /proc is not available). */
  rssIdleBytes: number | null;
  rssPeakBytes: number | null;
  rssAfterBytes: number | null;
  /** Server RSS at each tenth of the run, in bytes: flat means bounded. */
  rssTimelineBytes: number[];
  /** Server CPU time (user + system) per call during the run, in ms. */
  serverCpuMsPerCall: number | null;
  /** The first few distinct error messages, for diagnosis. */
  errorSamples: string[];
}

/** The tools every session calls in turn (all read-only, all on the same case). */
export function callMix(caseDir: string): { name: string; arguments: Record<string, unknown> }[] {
  return [
    { name: "cobre/validate", arguments: { case_dir: caseDir } },
    { name: "cobre/inspect-case", arguments: { case_dir: caseDir } },
    { name: "cobre/get-config-schema", arguments: {} },
  ];
}

/** Linear-interpolated percentile of sorted samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (sorted.length - 1) * p;
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const a = sorted[low] ?? Number.NaN;
  const b = sorted[high] ?? Number.NaN;
  return a + (b - a) * (rank - low);
}

function summarise(samples: number[], errors: number): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    calls: samples.length,
    errors,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
  };
}

/** Resident set size of a process, from /proc (Linux); null elsewhere. */
async function rssOf(pid: number): Promise<number | null> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}

/** CPU time (user + system) a process has used, in ms, from /proc (Linux); null elsewhere. */
async function cpuMsOf(pid: number): Promise<number | null> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : null; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** Samples a process's RSS every 250 ms until stopped: the peak and ten evenly spaced points. */
function sampleRss(pid: number): { stop(): Promise<{ peak: number | null; timeline: number[] }> } {
  let peak: number | null = null;
  const samples: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const rss = await rssOf(pid);
      if (rss !== null) {
        peak = Math.max(peak ?? 0, rss);
        samples.push(rss);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const points = Math.min(10, samples.length);
      const timeline = Array.from(
        { length: points },
        (_, i) => samples[Math.round(((i + 1) / points) * (samples.length - 1))]!,
      );
      return { peak, timeline };
    },
  };
}

/** Records every call's latency and outcome. */
class CallLog {
  readonly all: number[] = [];
  readonly byTool = new Map<string, { samples: number[]; errors: number }>();
  errors = 0;
  readonly errorSamples = new Set<string>();

  record(tool: string, ms: number, error: string | null): void {
    this.all.push(ms);
    const entry = this.byTool.get(tool) ?? { samples: [], errors: 0 };
    entry.samples.push(ms);
    if (error !== null) {
      entry.errors++;
      this.errors++;
      if (this.errorSamples.size < 5) this.errorSamples.add(error.slice(0, 200));
    }
    this.byTool.set(tool, entry);
  }
}

/** Calls the mix in turn until `deadline` (ms, performance clock). */
async function drive(client: Client, caseDir: string, deadline: number, log: CallLog) {
  const mix = callMix(caseDir);
  for (let n = 0; performance.now() < deadline; n++) {
    const call = mix[n % mix.length]!;
    const started = performance.now();
    let error: string | null = null;
    try {
      const result = await client.callTool(call, undefined, { timeout: 60_000 });
      if (result.isError) {
        const first = (result.content as { type: string; text?: string }[])[0];
        error = `tool error: ${first?.text ?? "?"}`;
      }
    } catch (thrown) {
      error = messageOf(thrown);
    }
    log.record(call.name, performance.now() - started, error);
  }
}

function difference(after: number | null, before: number | null): number | null {
  return after === null || before === null ? null : after - before;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

interface Spawned {
  child: Deno.ChildProcess;
  url: string | null;
  stderr: Promise<string>;
}

/** Spawns a launch line; for HTTP, waits until the server says where it listens. */
async function spawnServer(
  line: { command: string; args: string[] },
  waitForUrl: boolean,
  stdin: "piped" | "null",
): Promise<Spawned> {
  const child = new Deno.Command(line.command, {
    args: line.args,
    stdin,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let url: string | null = null;
  while (waitForUrl && url === null) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the server exited before listening:\n${text}`);
    text += value;
    url = /serving over http at (\S+)/.exec(text)?.[1] ?? null;
  }
  const stderr = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text;
      // Keep only the tail: a long run must not hold the whole log.
      text = (text + value).slice(-20_000);
    }
  })();
  return { child, url, stderr };
}

async function stop(server: Spawned): Promise<void> {
  try {
    server.child.kill("SIGTERM");
  } catch {
    // Already gone.
  }
  await server.child.status;
  await server.stderr;
}

function result(
  transport: "http" | "stdio",
  sessions: number,
  durationS: number,
  log: CallLog,
  rss: { idle: number | null; peak: number | null; after: number | null; timeline: number[] },
  cpuMs: number | null,
): TransportResult {
  const total = summarise(log.all, log.errors);
  const byTool: Record<string, LatencySummary> = {};
  for (const [tool, entry] of log.byTool) byTool[tool] = summarise(entry.samples, entry.errors);
  return {
    transport,
    sessions,
    durationS,
    ...total,
    callsPerSecond: total.calls / durationS,
    byTool,
    rssIdleBytes: rss.idle,
    rssPeakBytes: rss.peak,
    rssAfterBytes: rss.after,
    rssTimelineBytes: rss.timeline,
    serverCpuMsPerCall: cpuMs === null || total.calls === 0 ? null : cpuMs / total.calls,
    errorSamples: [...log.errorSamples],
  };
}

async function runHttp(options: LoadOptions, allowed: string, stateDir: string) {
  const line = await launchLine({
    allowedDirs: [allowed],
    stateDir,
    write: false,
    transport: "http",
    port: freePort(),
    extraServerArgs: ["--log-level", "info"],
  });
  const server = await spawnServer(line, true, "null");
  const clients: { client: Client; transport: StreamableHTTPClientTransport }[] = [];
  try {
    const pid = server.child.pid;
    for (let n = 0; n < options.sessions; n++) {
      const transport = new StreamableHTTPClientTransport(new URL(server.url!));
      const client = new Client({ name: `load-${n}`, version: "0" });
      await client.connect(transport);
      clients.push({ client, transport });
    }
    // One warm-up round so both transports start from compiled, cached code.
    for (const call of callMix(options.caseDir)) await clients[0]!.client.callTool(call);
    const idle = await rssOf(pid);
    options.onProgress?.(`http: ${options.sessions} sessions for ${options.durationS} s`);
    const sampler = sampleRss(pid);
    const log = new CallLog();
    const cpuBefore = await cpuMsOf(pid);
    const started = performance.now();
    const deadline = started + options.durationS * 1000;
    await Promise.all(clients.map(({ client }) => drive(client, options.caseDir, deadline, log)));
    const elapsedS = (performance.now() - started) / 1000;
    const cpu = difference(await cpuMsOf(pid), cpuBefore);
    const { peak, timeline } = await sampler.stop();
    const after = await rssOf(pid);
    return result("http", options.sessions, elapsedS, log, { idle, peak, after, timeline }, cpu);
  } finally {
    await Promise.all(clients.map(async ({ client, transport }) => {
      await transport.terminateSession().catch(() => {});
      await client.close().catch(() => {});
    }));
    await stop(server);
  }
}

async function runStdio(options: LoadOptions, allowed: string, stateDir: string) {
  const line = await launchLine({
    allowedDirs: [allowed],
    stateDir,
    write: false,
    extraServerArgs: ["--log-level", "warning"],
  });
  const server = await spawnServer(line, false, "piped");
  const input = new TransformStream<Uint8Array, Uint8Array>();
  const piped = input.readable.pipeTo(server.child.stdin).catch(() => {});
  const transport = new DenoStdioTransport({ input: server.child.stdout, output: input.writable });
  const client = new Client({ name: "load-stdio", version: "0" });
  try {
    await client.connect(transport);
    for (const call of callMix(options.caseDir)) await client.callTool(call);
    const pid = server.child.pid;
    const idle = await rssOf(pid);
    options.onProgress?.(`stdio: 1 session for ${options.durationS} s`);
    const sampler = sampleRss(pid);
    const log = new CallLog();
    const cpuBefore = await cpuMsOf(pid);
    const started = performance.now();
    await drive(client, options.caseDir, started + options.durationS * 1000, log);
    const elapsedS = (performance.now() - started) / 1000;
    const cpu = difference(await cpuMsOf(pid), cpuBefore);
    const { peak, timeline } = await sampler.stop();
    const after = await rssOf(pid);
    return result("stdio", 1, elapsedS, log, { idle, peak, after, timeline }, cpu);
  } finally {
    await client.close().catch(() => {});
    await input.writable.close().catch(() => {});
    await piped;
    await stop(server);
  }
}

/** Runs both transports, one after the other, on fresh servers and state dirs. */
export async function runLoadBenchmark(options: LoadOptions): Promise<TransportResult[]> {
  const caseDir = await Deno.realPath(options.caseDir);
  const allowed = caseDir.slice(0, caseDir.lastIndexOf("/")) || "/";
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "cobre-load-" }));
  const resolved = { ...options, caseDir };
  try {
    const http = await runHttp(resolved, allowed, `${root}/http-state`);
    const stdio = await runStdio(resolved, allowed, `${root}/stdio-state`);
    return [http, stdio];
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

const mib = (bytes: number | null) =>
  bytes === null ? "n/a" : `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const ms = (value: number) => Number.isNaN(value) ? "n/a" : value.toFixed(1);

/** The report as plain-text tables. */
export function formatLoadReport(results: readonly TransportResult[], caseDir: string): string {
  const header = [
    "transport",
    "sessions",
    "calls",
    "calls/s",
    "p50 ms",
    "p99 ms",
    "errors",
    "srv CPU ms/call",
    "RSS idle",
    "RSS peak",
    "RSS after",
  ];
  const main = results.map((r) => [
    r.transport,
    String(r.sessions),
    String(r.calls),
    r.callsPerSecond.toFixed(1),
    ms(r.p50Ms),
    ms(r.p99Ms),
    String(r.errors),
    r.serverCpuMsPerCall === null ? "n/a" : r.serverCpuMsPerCall.toFixed(2),
    mib(r.rssIdleBytes),
    mib(r.rssPeakBytes),
    mib(r.rssAfterBytes),
  ]);
  const perTool: string[][] = [];
  for (const r of results) {
    for (const [tool, s] of Object.entries(r.byTool)) {
      perTool.push([
        `${r.transport} ${tool}`,
        String(s.calls),
        ms(s.p50Ms),
        ms(s.p99Ms),
        String(s.errors),
      ]);
    }
  }
  const timelines = results.map((r) =>
    `  ${r.transport.padEnd(5)} ${
      r.rssTimelineBytes.map((b) => (b / 2 ** 20).toFixed(0)).join(" ")
    }`
  );
  const errors = results.flatMap((r) => r.errorSamples.map((e) => `  ${r.transport}: ${e}`));
  return [
    `cobre-mcp load: ${results[0]?.durationS.toFixed(0) ?? "?"} s per transport, read-only calls ` +
    `on ${caseDir}`,
    "",
    formatTable(header, main),
    "",
    formatTable(["transport / tool", "calls", "p50 ms", "p99 ms", "errors"], perTool),
    "",
    "server RSS (MiB) at each tenth of the run:",
    ...timelines,
    ...(errors.length > 0 ? ["", "first errors:", ...errors] : []),
    "",
  ].join("\n");
}
