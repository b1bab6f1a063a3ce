import assert from "node:assert/strict";
import type { SimulationScenarioResult } from "../../src/engine/mod.ts";
import { MAX_BATCHES_OUTSTANDING, startRunWorker, trainAndSimulate } from "../../src/engine/mod.ts";
import { assertStreamedLikeKept, loadFixture } from "./helpers.ts";

// stochastic_par simulates a batch of ceil(60 / 20) = 3 scenarios in a few milliseconds, far
// faster than the 50 ms consumer below: without back-pressure every batch would be in flight.
const SCENARIOS = 60;
const BATCHES = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("startRunWorker() never runs more than MAX_BATCHES_OUTSTANDING batches ahead of a slow consumer", async () => {
  const received: SimulationScenarioResult[][] = [];
  let consumed = 0;
  let batchesPosted = 0;
  let mostOutstanding = 0;
  const handle = startRunWorker(await loadFixture("stochastic_par"), {
    simulationScenarios: SCENARIOS,
  }, {
    // The Worker posts a batch, then its progress event: k events mean k batches were posted.
    onEvent: (e) => {
      if (e.type !== "simulation") return;
      batchesPosted++;
      mostOutstanding = Math.max(mostOutstanding, batchesPosted - consumed);
    },
    onScenarios: async (batch) => {
      received.push(batch);
      await sleep(50);
      consumed++;
    },
  });
  const result = await handle.result;
  assert.equal(consumed, BATCHES, "result waits until every batch is consumed");
  assert.equal(batchesPosted, BATCHES);
  assert.ok(mostOutstanding <= MAX_BATCHES_OUTSTANDING, `${mostOutstanding} batches outstanding`);
  assert.equal(mostOutstanding, MAX_BATCHES_OUTSTANDING, "the consumer was the bottleneck");

  const kept = await trainAndSimulate(await loadFixture("stochastic_par"), {
    simulationScenarios: SCENARIOS,
  });
  assertStreamedLikeKept(result, received.flat(), kept, SCENARIOS);
});

Deno.test("startRunWorker() rejects with the consumer's error and hands over no later batch", async () => {
  const failure = new Error("disk full");
  let calls = 0;
  const handle = startRunWorker(await loadFixture("stochastic_par"), {
    simulationScenarios: SCENARIOS,
  }, {
    onScenarios: async () => {
      calls++;
      await sleep(10);
      if (calls === 2) throw failure;
    },
  });
  await assert.rejects(() => handle.result, (error: unknown) => error === failure);
  // Batch 3 was already posted (two may be outstanding) but is dropped, not written.
  await sleep(100);
  assert.equal(calls, 2);
});

Deno.test("startRunWorker() cancelled behind a slow consumer counts exactly the batches it consumed", async () => {
  const received: SimulationScenarioResult[] = [];
  let batches = 0;
  const handle = startRunWorker(await loadFixture("stochastic_par"), {
    simulationScenarios: SCENARIOS,
  }, {
    onScenarios: async (batch) => {
      received.push(...batch);
      if (++batches === 3) handle.cancel();
      await sleep(50);
    },
  });
  const result = await handle.result;
  assert.equal(result.status, "partial");
  const completed = result.simulation?.scenarios_completed ?? 0;
  // The Worker, waiting for batch 1 to be consumed, is woken by the cancel: it posts the batch it
  // holds and stops. Every posted batch reaches the consumer before the result.
  assert.ok(completed >= 9 && completed < SCENARIOS, `${completed} scenarios`);
  assert.equal(received.length, completed);
  assert.deepEqual(
    received.map((s) => s.scenario_id),
    Array.from({ length: completed }, (_, i) => i),
  );
});
