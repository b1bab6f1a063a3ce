/**
 * `cobre/run` while it runs: cancellation keeps the last completed iteration's policy as a
 * partial output, the server stops a run its client left, a second run is `Busy`, and other
 * requests are answered meanwhile (the engine is in a Worker).
 *
 * The long run is `stochastic_par` with its iteration limit raised to a million: it only ends
 * when stopped.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { directFileAccess } from "../../src/common/mod.ts";
import { openParquet, readTrainingStatus } from "../../src/output/mod.ts";
import {
  exists,
  listNames,
  openRunSession,
  progressReaching,
  recordOf,
  runWorkspace,
  setIterationLimit,
} from "./run_support.ts";

const LONG = 1_000_000;

async function convergenceRows(outputDir: string): Promise<number> {
  const path = `${outputDir}/training/convergence.parquet`;
  const source = await openParquet(directFileAccess, path, path);
  try {
    return source.numRows;
  } finally {
    source.close();
  }
}

Deno.test("a cancelled cobre/run stops at an iteration boundary and publishes a partial output", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  const caseDir = ws.caseDir("stochastic_par");
  await setIterationLimit(caseDir, LONG);
  const session = await openRunSession(ws, { jobs: true });
  try {
    const watch = progressReaching(3);
    const abort = new AbortController();
    const call = session.client.callTool(
      { name: "cobre/run", arguments: { case_dir: caseDir } },
      undefined,
      { onprogress: watch.onprogress, signal: abort.signal, timeout: 120_000 },
    ).catch((error: unknown) => error);
    await watch.until(call);
    abort.abort("enough"); // the SDK sends notifications/cancelled
    assert.ok(await call instanceof Error, "the client gave up on the call");
    await session.coordinator.idle();

    const output = `${caseDir}/output`;
    const status = await readTrainingStatus(output, directFileAccess);
    assert.equal(status.success_marker, false, "never marked complete");
    assert.equal(status.termination_reason, "cancelled");
    assert.notEqual(status.status, "complete");
    const iterations = status.iterations_completed ?? 0;
    // Soon after the cancel, not whenever the busy run Worker's event loop gets to the message
    // (that once took 64 iterations).
    assert.ok(iterations >= 3 && iterations < 40, `iterations ${iterations}`);
    // The policy of the last completed iteration: one convergence row per iteration, cuts kept.
    assert.equal(await convergenceRows(output), iterations);
    assert.ok(await exists(`${output}/policy/cuts/stage_000.bin`));
    assert.equal(await exists(`${output}/simulation`), false, "simulation never started");

    // The job row says how it ended.
    const db = new DatabaseSync(`${ws.stateDir}/jobs.sqlite`, { readOnly: true });
    try {
      const job = db.prepare("SELECT status, progress FROM ai_jobs WHERE tool_name = 'cobre/run'")
        .get() as { status: string; progress: number };
      assert.equal(job.status, "cancelled");
      assert.ok(job.progress >= 3);
    } finally {
      db.close();
    }
  } finally {
    await session.close();
  }
});

Deno.test("a run the server stops (client gone, shutdown) answers a partial result", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  const caseDir = ws.caseDir("stochastic_par");
  await setIterationLimit(caseDir, LONG);
  const session = await openRunSession(ws);
  try {
    const watch = progressReaching(2);
    const call = session.client.callTool(
      { name: "cobre/run", arguments: { case_dir: caseDir } },
      undefined,
      { onprogress: watch.onprogress, timeout: 120_000 },
    );
    await watch.until(call);
    session.coordinator.stopActive("the client disconnected");
    const result = await call;
    assert.equal(result.isError, false, JSON.stringify(result.content));
    const summary = result.structuredContent as {
      status: string;
      training: { iterations: number; termination_reason: string };
      simulation: unknown;
    };
    assert.equal(summary.status, "partial");
    assert.equal(summary.training.termination_reason, "cancelled");
    assert.ok(summary.training.iterations >= 2);
    assert.equal(summary.simulation, null);
    const status = await readTrainingStatus(`${caseDir}/output`, directFileAccess);
    assert.equal(status.iterations_completed, summary.training.iterations);
    assert.equal(status.success_marker, false);
    assert.ok(session.stderr.some((line) => line.includes("the client disconnected")));
  } finally {
    await session.close();
  }
});

Deno.test("a second cobre/run is Busy while other tools keep answering during a run", async () => {
  await using ws = await runWorkspace(["stochastic_par", "thermal_merit_order"]);
  const caseDir = ws.caseDir("stochastic_par");
  await setIterationLimit(caseDir, LONG);
  const session = await openRunSession(ws);
  try {
    const watch = progressReaching(2);
    const abort = new AbortController();
    const first = session.client.callTool(
      { name: "cobre/run", arguments: { case_dir: caseDir } },
      undefined,
      { onprogress: watch.onprogress, signal: abort.signal, timeout: 120_000 },
    ).catch(() => null);
    await watch.until(first);

    // The event loop is free: a read tool answers while training goes on.
    const inspected = await session.client.callTool({
      name: "cobre/inspect-case",
      arguments: { case_dir: ws.caseDir("thermal_merit_order") },
    });
    assert.equal(inspected.isError, false);
    assert.equal((inspected.structuredContent as { stages: number }).stages, 2);
    assert.equal(session.coordinator.busy, true, "the run was still going");

    const other = ws.caseDir("thermal_merit_order");
    const second = await session.client.callTool({
      name: "cobre/run",
      arguments: { case_dir: other },
    });
    assert.equal(second.isError, true);
    const record = recordOf(second);
    assert.equal(record.kind, "Busy");
    assert.equal(record.context.same_session, true);
    assert.equal(await exists(`${other}/output`), false, "the refused run wrote nothing");

    abort.abort();
    await first;
    await session.coordinator.idle();
    // Once the slot is free, the next run goes ahead.
    const third = await session.client.callTool({
      name: "cobre/run",
      arguments: { case_dir: other },
    });
    assert.equal(third.isError, false, JSON.stringify(third.content));
    assert.deepEqual(await listNames(`${other}/output`), ["policy", "simulation", "training"]);
  } finally {
    await session.close();
  }
});
