import assert from "node:assert/strict";
import {
  callMix,
  DEFAULT_LOAD_CASE,
  formatLoadReport,
  percentile,
  runLoadBenchmark,
  type TransportResult,
} from "../../src/bench/mod.ts";

Deno.test("percentile() interpolates between ranks of sorted samples", () => {
  const samples = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.equal(percentile(samples, 0.5), 5.5);
  assert.equal(percentile(samples, 0), 1);
  assert.equal(percentile(samples, 1), 10);
  assert.equal(percentile(samples, 0.99), 9.91);
  assert.ok(Number.isNaN(percentile([], 0.5)));
});

Deno.test("callMix() calls only read-only tools, on the given case", () => {
  const mix = callMix("/data/cases/tiny");
  assert.deepEqual(mix.map((call) => call.name), [
    "cobre/validate",
    "cobre/inspect-case",
    "cobre/get-config-schema",
  ]);
  assert.deepEqual(mix[0]?.arguments, { case_dir: "/data/cases/tiny" });
});

Deno.test("formatLoadReport() prints one row per transport and per tool", () => {
  const row = (transport: "http" | "stdio", sessions: number): TransportResult => ({
    transport,
    sessions,
    durationS: 30,
    calls: 600,
    errors: 0,
    p50Ms: 12.34,
    p99Ms: 56.78,
    callsPerSecond: 20,
    byTool: { "cobre/validate": { calls: 600, errors: 0, p50Ms: 12.34, p99Ms: 56.78 } },
    rssIdleBytes: 100 * 2 ** 20,
    rssPeakBytes: 150 * 2 ** 20,
    rssAfterBytes: null,
    rssTimelineBytes: [120 * 2 ** 20, 130 * 2 ** 20],
    serverCpuMsPerCall: 4.5,
    errorSamples: [],
  });
  const text = formatLoadReport([row("http", 50), row("stdio", 1)], "/cases/tiny");
  assert.match(text, /^http +50 +600 +20\.0 +12\.3 +56\.8 +0 +4\.50 +100 MiB +150 MiB +n\/a$/m);
  assert.match(text, /^stdio cobre\/validate +600 +12\.3 +56\.8 +0$/m);
  assert.match(text, /^ {2}http +120 130$/m);
});

Deno.test("runLoadBenchmark() drives both transports through launched servers without errors", async () => {
  const [http, stdio] = await runLoadBenchmark({
    durationS: 1,
    sessions: 3,
    caseDir: DEFAULT_LOAD_CASE,
  });
  assert.equal(http?.transport, "http");
  assert.equal(http?.sessions, 3);
  assert.equal(stdio?.transport, "stdio");
  for (const result of [http!, stdio!]) {
    assert.ok(result.calls >= 3, `${result.transport} made ${result.calls} calls`);
    assert.deepEqual(result.errorSamples, [], result.transport);
    assert.equal(result.errors, 0);
    assert.deepEqual(Object.keys(result.byTool).sort(), [
      "cobre/get-config-schema",
      "cobre/inspect-case",
      "cobre/validate",
    ]);
  }
});
