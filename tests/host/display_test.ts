import assert from "node:assert/strict";
import {
  convergencePoints,
  convergenceSvg,
  formatProgress,
  formatTrail,
  linkJobs,
  mergeTrail,
  ProgressBar,
  terminalChart,
} from "../../src/host/mod.ts";
import type { FlightEventRow } from "../../src/recorder/mod.ts";

const output = {
  iterations: [
    { iteration: 1, lower_bound: 100, upper_bound: 300, ci_95: 50 },
    { iteration: 2, lower_bound: 150, upper_bound: 250, ci_95: 30 },
    { iteration: 3, lower_bound: 190, upper_bound: 210, ci_95: null },
    { iteration: 4, lower_bound: null, upper_bound: 200 },
  ],
};

Deno.test("convergencePoints() reads query-convergence output and skips rows with no lower bound", () => {
  assert.deepEqual(convergencePoints(output), [
    { iteration: 1, lowerBound: 100, upperBound: 300, ci95: 50 },
    { iteration: 2, lowerBound: 150, upperBound: 250, ci95: 30 },
    { iteration: 3, lowerBound: 190, upperBound: 210, ci95: null },
  ]);
  assert.deepEqual(convergencePoints({}), []);
});

Deno.test("terminalChart() puts U on top and L at the bottom at the first iteration, labelled by value", () => {
  const chart = terminalChart(convergencePoints(output), { width: 21, height: 5 }).split("\n");
  // Range 100..300 over 5 rows: row 0 is 300, row 4 is 100.
  assert.match(chart[0]!, /^300 ┤U/);
  assert.match(chart[2]!, /^200 ┤ /);
  assert.match(chart[4]!, /^100 ┤L/);
  assert.equal(chart[0]!.length, chart[4]!.length);
  assert.match(chart[6]!, /1 {19}3$/, "first and last iteration under the axis");
  const met = terminalChart([{ iteration: 1, lowerBound: 5, upperBound: 5, ci95: null }], {
    width: 10,
    height: 4,
  });
  assert.ok(met.includes("*"), "a converged point is marked *");
});

Deno.test("convergenceSvg() draws both bounds and the band, and escapes the title", () => {
  const svg = convergenceSvg(convergencePoints(output), "Case <a&b>");
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.ok(svg.includes("Case &lt;a&amp;b&gt;"));
  assert.equal((svg.match(/<polyline /g) ?? []).length, 2);
  assert.equal((svg.match(/<polygon /g) ?? []).length, 1, "band over the 2 points with a CI");
  assert.ok(svg.trimEnd().endsWith("</svg>"));
});

Deno.test("formatProgress() shows iteration, bar, bounds, gap and time; simulation shows scenarios", () => {
  const training = formatProgress({
    jobId: "j",
    progress: 5,
    total: 10,
    message: null,
    update: {
      iteration: 5,
      lower_bound: 1234.5678,
      upper_bound: 1300,
      gap: 0.0512,
      wall_time_ms: 2500,
    },
  }, 9_999);
  assert.equal(
    training,
    "iteration 5/10  ▕██████████          ▏  LB 1,234.57  UB 1,300  gap 5.12%  2.5 s",
  );
  const simulation = formatProgress({
    jobId: "j",
    progress: 3,
    total: 4,
    message: null,
    update: { phase: "simulation", scenarios_complete: 3, scenarios_total: 4 },
  }, 61_000);
  assert.equal(simulation, "simulating 3/4 scenarios ▕███████████████     ▏ 1:01 min");
});

Deno.test("ProgressBar redraws in place on a terminal and writes sparse lines elsewhere", () => {
  const step = { jobId: "j", progress: 1, total: null, message: null, update: null };
  const tty: string[] = [];
  const onTerminal = new ProgressBar({ write: (t) => tty.push(t), isTerminal: true });
  onTerminal.update(step);
  onTerminal.update({ ...step, progress: 2 });
  onTerminal.finish();
  assert.equal(tty.length, 3);
  assert.ok(tty[0]!.startsWith("\r\x1b[2Kiteration 1"));
  assert.equal(tty[2], "\n");
  const log: string[] = [];
  const plain = new ProgressBar({ write: (t) => log.push(t), isTerminal: false });
  plain.update(step);
  plain.update({ ...step, progress: 2 });
  plain.finish();
  assert.deepEqual(log.map((t) => t.split("  ")[0]), ["iteration 1", "iteration 2"]);
  assert.ok(log.every((t) => t.endsWith("\n") && !t.includes("\r")));
});

function row(overrides: Partial<FlightEventRow>): FlightEventRow {
  return {
    eventId: crypto.randomUUID(),
    seq: 0,
    tsUtc: "2025-01-01T00:00:00.000Z",
    serverId: "s",
    sessionId: null,
    taskId: null,
    jobId: null,
    workflowRunId: null,
    traceId: null,
    eventKind: "host.request",
    source: "host",
    level: "info",
    message: "m",
    payload: null,
    toolName: null,
    capabilityProfileId: null,
    gateDecision: null,
    durationMs: null,
    errorCode: null,
    clientClaims: null,
    ...overrides,
  };
}

Deno.test("mergeTrail() and linkJobs() order both sides and pair host jobs with the server jobs that claim them", () => {
  const host = [
    row({ tsUtc: "2025-01-01T00:00:00.100Z", jobId: "h1", traceId: "t1", toolName: "cobre/run" }),
    row({
      tsUtc: "2025-01-01T00:00:00.110Z",
      jobId: "h2",
      toolName: "cobre/validate",
      payload: { progress_token: "host-2" },
    }),
    row({
      tsUtc: "2025-01-01T00:00:00.300Z",
      jobId: "h1",
      level: "debug",
      eventKind: "mcp.progress",
    }),
  ];
  const server = [
    row({
      tsUtc: "2025-01-01T00:00:00.100Z",
      jobId: "s1",
      eventKind: "mcp.tool_call",
      clientClaims: { "dev.cobre/job": { job_id: "h1" } },
    }),
    row({
      tsUtc: "2025-01-01T00:00:00.050Z",
      eventKind: "mcp.gate_decision",
      gateDecision: "allow",
    }),
    row({
      tsUtc: "2025-01-01T00:00:00.120Z",
      jobId: "s2",
      clientClaims: { progressToken: "host-2" },
    }),
  ];
  const trail = mergeTrail(host, server);
  assert.deepEqual(trail.map((e) => `${e.side}:${e.row.jobId ?? "-"}`), [
    "server:-",
    "host:h1",
    "server:s1",
    "host:h2",
    "server:s2",
    "host:h1",
  ]);
  assert.deepEqual(linkJobs(trail), [
    { hostJobId: "h1", serverJobId: "s1", traceId: "t1", toolName: "cobre/run" },
    { hostJobId: "h2", serverJobId: "s2", traceId: null, toolName: "cobre/validate" },
  ]);
  const table = formatTrail(trail).split("\n");
  assert.equal(table.length, 1 + 5 + 1, "header, 5 events, and the folded debug count");
  assert.match(table[1]!, /^ +0\.00s server mcp\.gate_decision/);
  assert.match(table[6]!, /plus 1 host and 0 server progress/);
});

Deno.test("convergenceSvg() clips a very wide confidence band so the bounds stay readable", () => {
  const points = [
    { iteration: 1, lowerBound: 100, upperBound: 300, ci95: 1e6 },
    { iteration: 2, lowerBound: 200, upperBound: 250, ci95: 1e6 },
  ];
  const svg = convergenceSvg(points, "wide");
  const coords = (tag: string) =>
    [...svg.matchAll(new RegExp(`<${tag} points="([^"]+)"`, "g"))].flatMap((m) =>
      m[1]!.split(" ").map((pair) => Number(pair.split(",")[1]))
    );
  const ys = [...coords("polygon"), ...coords("polyline")];
  // Plot area: top 48, height 400 - 48 - 56 = 296.
  assert.ok(ys.every((y) => y >= 48 && y <= 344), "everything inside the plot area");
  const lower = coords("polyline").slice(-2);
  assert.ok(Math.abs(lower[0]! - lower[1]!) > 296 / 4, "the bounds still span the chart");
});
