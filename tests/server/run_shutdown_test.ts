/**
 * Shutdown with a run in flight: `drain` waits past its grace for a stopped `cobre/run` to finish
 * its iteration, publish it and answer `partial` (bounded by `stopGraceMs`), while other requests
 * get only the grace. The server's shutdown signal is what serveStdio aborts on SIGTERM.
 *
 * The slow case is `stochastic_par` with 400 openings per stage and 2 forward passes: about 1,600
 * LP solves per iteration on one thread, well over the 50 ms grace given here.
 */
import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/types"
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { directFileAccess } from "../../src/common/mod.ts";
import { readTrainingStatus } from "../../src/output/mod.ts";
import { readStoppedOutput } from "../../src/server/mod.ts";
import {
  openRunSession,
  progressReaching,
  runWorkspace,
  setIterationLimit,
  setOpenings,
} from "./run_support.ts";
import { connect } from "./support.ts";
import { slowTool } from "./test_tools.ts";

const GRACE_MS = 50;

Deno.test("drain() waits past its grace for a stopped cobre/run's partial answer", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  const caseDir = ws.caseDir("stochastic_par");
  await setIterationLimit(caseDir, 1_000_000);
  await setOpenings(caseDir, 400, 2);
  const shutdown = new AbortController();
  const session = await openRunSession(ws, {
    jobs: true,
    shutdownSignal: shutdown.signal,
    workers: 1,
  });
  try {
    const watch = progressReaching(1); // the first iteration
    const call = session.client.request(
      { method: "tools/call", params: { name: "cobre/run", arguments: { case_dir: caseDir } } },
      CallToolResultSchema,
      { onprogress: watch.onprogress, timeout: 300_000 },
    );
    await watch.until(call);
    // What serveStdio does on SIGTERM: abort, drain within the grace, close.
    shutdown.abort(new Error("received SIGTERM"));
    await session.server.drain(GRACE_MS);
    await session.server.close();
    const result = await call;
    assert.equal(result.isError, false, JSON.stringify(result.content));
    const summary = result.structuredContent as {
      status: string;
      training: { iterations: number; termination_reason: string };
    };
    assert.equal(summary.status, "partial");
    assert.equal(summary.training.termination_reason, "cancelled");
    assert.ok(summary.training.iterations >= 1);
    assert.ok(
      session.stderr.some((line) => line.includes("still finishing its iteration")),
      "the drain said why it waited",
    );
    const status = await readTrainingStatus(`${caseDir}/output`, directFileAccess);
    assert.equal(status.iterations_completed, summary.training.iterations);
    assert.equal(status.success_marker, false);
    assert.equal(
      (await readStoppedOutput(`${caseDir}/output`, directFileAccess)).status,
      "partial",
    );
  } finally {
    await session.close();
  }
});

Deno.test("drain() gives a call with a timeout only its grace", async () => {
  const probe = { aborted: false, reason: undefined as unknown };
  const shutdown = new AbortController();
  const session = await connect({
    // A tool that ignores nothing but takes 5 s, with a (long) timeout of its own.
    tools: [slowTool(probe, 60_000)],
    shutdownSignal: shutdown.signal,
    stopGraceMs: 60_000,
  });
  try {
    let answered = false;
    const call = session.client.callTool({ name: "test/slow", arguments: { ms: 5_000 } })
      .then(() => (answered = true), () => {});
    await new Promise((resolve) => setTimeout(resolve, 20));
    await session.server.drain(GRACE_MS);
    assert.equal(answered, false, "drain returned before the call could answer");
    assert.equal(session.server.inFlight(), 1);
    assert.ok(!session.stderr.some((line) => line.includes("still finishing its iteration")));
    await session.close();
    await call;
  } finally {
    await session.close();
  }
});

Deno.test("readStoppedOutput() tells a complete output from a missing one", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  const caseDir = ws.caseDir("stochastic_par");
  assert.equal((await readStoppedOutput(`${caseDir}/output`, ws.sandbox.access)).status, "none");
  const session = await openRunSession(ws, { jobs: true });
  try {
    const result = await session.client.callTool({
      name: "cobre/run",
      arguments: { case_dir: caseDir },
    });
    assert.equal(result.isError, false, JSON.stringify(result.content));
  } finally {
    await session.close();
  }
  const output = await readStoppedOutput(`${caseDir}/output`, ws.sandbox.access);
  assert.deepEqual(output, {
    status: "complete",
    iterations_completed: 8, // the fixture's iteration limit
    termination_reason: "iteration_limit",
    training_success: true,
    simulation: { scenarios_completed: 6, scenarios_total: 6 },
  });
  // Outside the sandbox: nothing, and no error that could leak the path.
  assert.equal((await readStoppedOutput("/etc", ws.sandbox.access)).status, "none");
});
