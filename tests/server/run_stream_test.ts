/**
 * `cobre/run` writes each simulation batch as the engine finishes it: a run stopped while
 * simulating publishes the scenarios it wrote, and a batch that cannot be written stops the run
 * with `CheckpointFailed` and leaves nothing behind.
 *
 * `stochastic_par` trains its 8 iterations in well under a second; 1000 scenarios (streamed in
 * batches of 16, a Parquet partition per table each) then take seconds to write.
 */
import assert from "node:assert/strict";
import { directFileAccess } from "../../src/common/mod.ts";
import { readSimulationStatus, readTrainingStatus } from "../../src/output/mod.ts";
import {
  exists,
  listNames,
  openRunSession,
  recordOf,
  runWorkspace,
  sandboxFailingWrite,
} from "./run_support.ts";

const SCENARIOS = 1000;
const ITERATIONS = 8;

async function setScenarios(caseDir: string, scenarios: number): Promise<void> {
  const path = `${caseDir}/config.json`;
  const config = JSON.parse(await Deno.readTextFile(path));
  config.simulation.num_scenarios = scenarios;
  await Deno.writeTextFile(path, JSON.stringify(config, null, 2));
}

Deno.test("a cobre/run stopped while simulating publishes the scenarios it wrote as a partial simulation", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  const caseDir = ws.caseDir("stochastic_par");
  await setScenarios(caseDir, SCENARIOS);
  const session = await openRunSession(ws);
  try {
    let stopped = false;
    const call = session.client.callTool(
      { name: "cobre/run", arguments: { case_dir: caseDir } },
      undefined,
      {
        // Simulation progress counts on from the last iteration.
        onprogress: (p) => {
          if (p.progress > ITERATIONS && !stopped) {
            stopped = true;
            session.coordinator.stopActive("the client disconnected");
          }
        },
        timeout: 120_000,
      },
    );
    const result = await call;
    assert.equal(result.isError, false, JSON.stringify(result.content));
    assert.ok(stopped, "the run was stopped while simulating");
    const summary = result.structuredContent as {
      status: string;
      training: { iterations: number; termination_reason: string };
      simulation: { scenarios: number; output_files: string[] };
    };
    assert.equal(summary.status, "partial");
    assert.equal(summary.training.termination_reason, "iteration_limit");
    const written = summary.simulation.scenarios;
    assert.ok(written >= 16 && written < SCENARIOS, `${written} scenarios`);
    assert.ok(summary.simulation.output_files.includes("simulation/costs"));

    const output = `${caseDir}/output`;
    const training = await readTrainingStatus(output, directFileAccess);
    assert.equal(training.success_marker, true, "the policy is complete");
    const simulation = await readSimulationStatus(output, directFileAccess);
    assert.equal(simulation.status, "partial");
    assert.equal(simulation.success_marker, false);
    assert.equal(simulation.scenarios_completed, written);
    assert.equal(simulation.scenarios_total, SCENARIOS);
    // Exactly the first `written` scenarios have partitions.
    const partitions = (await listNames(`${output}/simulation/costs`)).sort();
    assert.equal(partitions.length, written);
    assert.equal(partitions.at(-1), `scenario_id=${String(written - 1).padStart(4, "0")}`);
    assert.deepEqual((await listNames(caseDir)).filter((n) => n.startsWith(".")), []);
  } finally {
    await session.close();
  }
});

Deno.test("cobre/run stops the engine with CheckpointFailed when a scenario batch cannot be written", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  const caseDir = ws.caseDir("stochastic_par");
  await setScenarios(caseDir, SCENARIOS);
  // The disk fills up in the fourth batch: scenario partitions are the first files written.
  const FAILING_WRITE = 6 * 16 * 3 + 10;
  const sandbox = sandboxFailingWrite(ws, FAILING_WRITE);
  const session = await openRunSession(ws, { sandbox });
  try {
    let simulated = 0;
    const result = await session.client.callTool(
      { name: "cobre/run", arguments: { case_dir: caseDir } },
      undefined,
      { onprogress: (p) => (simulated = Math.max(simulated, p.progress - ITERATIONS)) },
    );
    assert.equal(result.isError, true);
    const record = recordOf(result);
    assert.equal(record.kind, "CheckpointFailed");
    assert.deepEqual(record.context.cause, { error: "Error" });
    // The engine ran at most a few batches ahead of the writer, then stopped.
    assert.ok(simulated > 0 && simulated <= 160, `${simulated} scenarios simulated`);
    // Nothing was written after the failure: batches already posted were dropped.
    assert.equal(sandbox.writes, FAILING_WRITE);
    assert.equal(await exists(`${caseDir}/output`), false);
    assert.deepEqual((await listNames(caseDir)).filter((n) => n.startsWith(".")), []);
    assert.equal(session.coordinator.busy, false);
  } finally {
    await session.close();
  }
});
