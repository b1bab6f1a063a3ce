import assert from "node:assert/strict";
import type { SimulationScenarioResult } from "../../src/engine/mod.ts";
import { trainAndSimulate } from "../../src/engine/mod.ts";
import { assertStreamedLikeKept, loadFixture } from "./helpers.ts";

// stochastic_par trains 8 iterations; 50 scenarios make batches of ceil(50 / 20) = 3.
const SCENARIOS = 50;

Deno.test("trainAndSimulate() hands every scenario to onScenarios once, in order, with the kept run's summary", async () => {
  const kept = await trainAndSimulate(await loadFixture("stochastic_par"), {
    simulationScenarios: SCENARIOS,
  });
  const batches: SimulationScenarioResult[][] = [];
  const streamed = await trainAndSimulate(await loadFixture("stochastic_par"), {
    simulationScenarios: SCENARIOS,
    onScenarios: (batch) => {
      batches.push(batch);
    },
  });
  assert.deepEqual(batches.map((b) => b.length), [...Array(16).fill(3), 2]);
  // The rows are the kept run's, and the summary is bit-identical without them.
  assertStreamedLikeKept(streamed, batches.flat(), kept, SCENARIOS);
  assert.equal(kept.simulation?.scenarios_completed, SCENARIOS);
  assert.ok((kept.simulation?.std_cost ?? 0) > 0, "scenarios differ, so std is a real check");
});

Deno.test("trainAndSimulate() streams batches of at most 16 scenarios however many are asked", async () => {
  // Kept, 400 scenarios would come in batches of 400 / 20 = 20; a consumer holds a few batches,
  // so their size must not grow with the run.
  const sizes: number[] = [];
  const ids: number[] = [];
  await trainAndSimulate(await loadFixture("stochastic_par"), {
    simulationScenarios: 400,
    onScenarios: (batch) => {
      sizes.push(batch.length);
      ids.push(...batch.map((s) => s.scenario_id));
    },
  });
  assert.deepEqual(sizes, Array(25).fill(16));
  assert.deepEqual(ids, Array.from({ length: 400 }, (_, i) => i));
});

Deno.test("trainAndSimulate() waits for an async onScenarios before simulating the next batch", async () => {
  let writing = false;
  let overlaps = 0;
  let batches = 0;
  await trainAndSimulate(await loadFixture("stochastic_par"), {
    simulationScenarios: 12,
    onScenarios: async () => {
      if (writing) overlaps++;
      writing = true;
      batches++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      writing = false;
    },
  });
  assert.equal(batches, 12, "one scenario per batch");
  assert.equal(overlaps, 0);
});

Deno.test("trainAndSimulate() stopped while streaming counts exactly the scenarios it handed over", async () => {
  const received: SimulationScenarioResult[] = [];
  const result = await trainAndSimulate(await loadFixture("stochastic_par"), {
    simulationScenarios: SCENARIOS,
    shouldStop: () => received.length >= 7,
    onScenarios: (batch) => {
      received.push(...batch);
    },
  });
  assert.equal(result.status, "partial");
  assert.equal(result.training.termination_reason, "iteration_limit", "training finished");
  // Batches of 3: the stop is seen before the fourth batch.
  assert.equal(received.length, 9);
  assert.equal(result.simulation?.scenarios_completed, 9);
  assert.equal(result.simulation?.scenarios_total, SCENARIOS);
  const mean = received.reduce((a, s) => a + s.total_cost, 0) / received.length;
  assert.equal(result.simulation?.mean_cost, mean);
});
