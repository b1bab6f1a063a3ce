/**
 * Benchmarks of the audit chain's hot paths. Every iteration does a bounded amount of work.
 *
 * `npx -y deno@2.9.5 bench -A --unstable-worker-options tests/recorder/recorder_bench.ts`
 */
import { openJobStore } from "../../src/jobs/mod.ts";
import { type FlightEvent, openFlightRecorder, readFlightEvents } from "../../src/recorder/mod.ts";
import { decideToolCall, READ_ONLY_PROFILE } from "../../src/security/mod.ts";

const stateDir = await Deno.makeTempDir({ prefix: "recorder_bench_" });
const recorder = await openFlightRecorder({ stateDir, serverId: "bench", revokeFfi: false });
const jobs = openJobStore({ stateDir });
const job = jobs.create({ toolName: "cobre/run", mcpServerId: "bench", mcpProgressToken: "tok" });

const progressEvent: FlightEvent = {
  kind: "mcp.progress",
  source: "engine",
  message: "iteration 42",
  sessionId: "session",
  jobId: job.jobId,
  toolName: "cobre/run",
  payload: { iteration: 42, lower_bound: 1234.5, upper_bound: 1300.25, gap: 0.05 },
  clientClaims: { progressToken: "tok" },
};

// A history to read: 50 000 events in the live segment.
for (let i = 0; i < 50; i++) {
  for (let j = 0; j < 1000; j++) recorder.record(progressEvent);
  await recorder.flush();
}

Deno.bench(
  "record() x1000: main-thread cost only",
  { group: "recorder", n: 50, warmup: 5 },
  async (b) => {
    b.start();
    for (let i = 0; i < 1000; i++) recorder.record(progressEvent);
    b.end();
    await recorder.flush();
  },
);

Deno.bench(
  "record() x1000 + flush(): until on disk",
  { group: "recorder", n: 50, warmup: 5 },
  async () => {
    for (let i = 0; i < 1000; i++) recorder.record(progressEvent);
    await recorder.flush();
  },
);

Deno.bench("readFlightEvents() newest 200 from a live 50k+ history (snapshot copy)", {
  group: "reader",
  n: 10,
  warmup: 1,
}, async () => {
  await readFlightEvents(stateDir, { newest: true, limit: 200 });
});

Deno.bench("JobStore.reportProgress(): one step by token", { group: "jobs", n: 2000 }, () => {
  jobs.reportProgress("tok", { progress: 42, total: 100, lastUpdate: { gap: 0.05 } });
});

Deno.bench("decideToolCall(): one Gate decision", { group: "gate", n: 10_000 }, () => {
  decideToolCall({ profile: READ_ONLY_PROFILE, mode: "read-only" }, "cobre/validate", [
    "/data/cases/1dtoy",
  ]);
});
