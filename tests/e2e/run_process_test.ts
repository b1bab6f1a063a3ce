/**
 * Evidence for `cobre/run` with real server processes started from the least-privilege launch
 * line (read-write): progress reaches the job store and the Flight Recorder under the run's job
 * and workflow run; SIGTERM answers a partial result before exiting; closing stdin stops the run
 * and still publishes its last iteration; SIGKILL leaves an interrupted job and task after a
 * restart, and no output that looks complete.
 *
 * The long run is `stochastic_par` with a million-iteration limit: it ends only when stopped.
 */
import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  RELATED_TASK_META_KEY,
} from "@modelcontextprotocol/sdk/types.js";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { launchLine } from "../../src/security/mod.ts";
import { directFileAccess } from "../../src/common/mod.ts";
import { readTrainingStatus } from "../../src/output/mod.ts";
import { readFlightEvents } from "../../src/recorder/mod.ts";
import {
  progressReaching,
  runJobs,
  runWorkspace,
  setIterationLimit,
  spawnWriteServer,
} from "./run_support.ts";
import { startRunTask } from "../server/run_support.ts";

const LONG = 1_000_000;

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

Deno.test("a run's progress is in ai_jobs and the Flight Recorder under its job and workflow run", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  const server = await spawnWriteServer(ws);
  let progressSeen = 0;
  try {
    const result = await server.client.callTool(
      { name: "cobre/run", arguments: { case_dir: ws.caseDir("stochastic_par") } },
      undefined,
      { onprogress: () => void progressSeen++, timeout: 120_000 },
    );
    assert.equal(result.isError, false, JSON.stringify(result.content));
  } finally {
    await server.closeStdin();
    assert.equal((await server.child.status).code, 0);
  }
  const [job, ...others] = runJobs(ws.stateDir);
  assert.equal(others.length, 0);
  assert.equal(job!.status, "completed");
  const token: unknown = JSON.parse(job!.mcp_progress_token ?? "null");
  assert.equal(typeof token, "number", "the SDK client's progress token was stored");
  // 8 iterations (the fixture's limit) then 6 scenarios on the same scale.
  assert.equal(job!.progress, 14);
  assert.equal(job!.total, 14);
  assert.equal(JSON.parse(job!.last_update ?? "{}").phase, "simulation");

  const { rows } = await readFlightEvents(ws.stateDir, { kind: "mcp.progress" });
  assert.equal(rows.length, progressSeen, "one recorded event per notification sent");
  for (const row of rows) {
    assert.equal(row.jobId, job!.job_id);
    assert.equal(row.workflowRunId, job!.workflow_run_id);
    assert.equal((row.clientClaims as { progressToken?: unknown }).progressToken, token);
  }
  const calls = await readFlightEvents(ws.stateDir, { jobId: job!.job_id });
  assert.ok(calls.rows.some((r) => r.eventKind === "mcp.tool_result"), "the result is on the job");
});

Deno.test("SIGTERM finishes the iteration, publishes it and answers partial before the process exits", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  const caseDir = ws.caseDir("stochastic_par");
  await setIterationLimit(caseDir, LONG);
  const server = await spawnWriteServer(ws);
  const watch = progressReaching(3);
  const call = server.client.callTool(
    { name: "cobre/run", arguments: { case_dir: caseDir } },
    undefined,
    { onprogress: watch.onprogress, timeout: 120_000 },
  );
  await watch.until(call);
  server.child.kill("SIGTERM");
  const result = await call;
  assert.equal(result.isError, false, JSON.stringify(result.content));
  const summary = result.structuredContent as {
    status: string;
    training: { iterations: number; termination_reason: string };
  };
  assert.equal(summary.status, "partial");
  assert.equal(summary.training.termination_reason, "cancelled");
  assert.ok(summary.training.iterations >= 3);
  assert.equal((await server.child.status).code, 0);
  await server.closeStdin();
  const status = await readTrainingStatus(`${caseDir}/output`, directFileAccess);
  assert.equal(status.iterations_completed, summary.training.iterations);
  assert.equal(status.success_marker, false);
  assert.deepEqual(runJobs(ws.stateDir).map((job) => job.status), ["completed"]);
});

Deno.test("closing stdin stops the run at an iteration boundary; its last iteration is published", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  const caseDir = ws.caseDir("stochastic_par");
  await setIterationLimit(caseDir, LONG);
  const server = await spawnWriteServer(ws);
  const watch = progressReaching(2);
  const call = server.client.callTool(
    { name: "cobre/run", arguments: { case_dir: caseDir } },
    undefined,
    { onprogress: watch.onprogress, timeout: 120_000 },
  ).catch(() => null);
  await watch.until(call);
  await server.closeStdin();
  assert.equal((await server.child.status).code, 0);
  await call;
  const status = await readTrainingStatus(`${caseDir}/output`, directFileAccess);
  assert.equal(status.termination_reason, "cancelled");
  assert.equal(status.success_marker, false);
  assert.ok((status.iterations_completed ?? 0) >= 2);
  const [job] = runJobs(ws.stateDir);
  assert.notEqual(job!.status, "running", "no job is left running");
});

Deno.test("SIGKILL during a run: after a restart the job is interrupted, the task says why, no output looks complete", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  const caseDir = ws.caseDir("stochastic_par");
  await setIterationLimit(caseDir, LONG);
  const first = await spawnWriteServer(ws);
  const { taskId, running } = await startRunTask(first.client, caseDir, 2, 120_000);
  await running;
  assert.equal(runJobs(ws.stateDir)[0]?.status, "running");
  first.child.kill("SIGKILL");
  assert.equal((await first.child.status).signal, "SIGKILL");
  await first.closeStdin().catch(() => {});

  const second = await spawnWriteServer(ws);
  try {
    const tasks = second.client.experimental.tasks;
    const task = await tasks.getTask(taskId);
    assert.equal(task.status, "failed");
    assert.match(task.statusMessage ?? "", /interrupted/);
    const result = await tasks.getTaskResult(taskId, CallToolResultSchema);
    assert.equal(result.isError, true);
    const record = JSON.parse((result.content[0] as { text: string }).text);
    assert.match(record.message, /interrupted: the process running it exited/);
    const [job] = runJobs(ws.stateDir);
    assert.equal(job!.job_id, taskId);
    assert.equal(job!.status, "interrupted");
    assert.ok((job!.progress ?? 0) >= 2, "the last progress before the kill was kept");
  } finally {
    await second.closeStdin();
  }
  // Outputs are published by one rename at the end: a killed run left none, complete or not.
  assert.equal(await exists(`${caseDir}/output`), false);
  const status = await readTrainingStatus(`${caseDir}/output`, directFileAccess).catch(() => null);
  assert.ok(status === null || status.success_marker === false);
});

/** Starts an HTTP server from its launch line; resolves once it says where it serves. */
async function launchHttp(allowed: string, stateDir: string) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const line = await launchLine({
    allowedDirs: [allowed],
    stateDir,
    write: true,
    transport: "http",
    host: "127.0.0.1",
    port,
  });
  const child = new Deno.Command(line.command, {
    args: line.args,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let early = "";
  let url: string | null = null;
  while (url === null) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the server exited: ${early}`);
    early += value;
    url = /serving over http at (\S+)/.exec(early)?.[1] ?? null;
  }
  const drained = (async () => {
    while (!(await reader.read()).done) { /* keep the pipe flowing */ }
  })();
  return { child, url, drained };
}

Deno.test("over Streamable HTTP, a task-augmented run streams related-task progress and its result", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  const server = await launchHttp(ws.allowed, ws.stateDir);
  const client = new Client({ name: "cobre-run-http", version: "0" });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    const progress: { progress: number; _meta?: Record<string, unknown> }[] = [];
    const created = await client.request(
      {
        method: "tools/call",
        params: {
          name: "cobre/run",
          arguments: { case_dir: ws.caseDir("stochastic_par") },
          task: {},
        },
      },
      CreateTaskResultSchema,
      { onprogress: (p) => void progress.push(p) },
    );
    const taskId = created.task.taskId;
    const result = await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    assert.equal(result.isError, false, JSON.stringify(result.content));
    assert.equal((result.structuredContent as { status: string }).status, "completed");
    // 8 iterations then 6 scenarios, each notification tagged with the task.
    assert.equal(progress.at(-1)?.progress, 14);
    for (const p of progress) assert.deepEqual(p._meta?.[RELATED_TASK_META_KEY], { taskId });
    assert.deepEqual(runJobs(ws.stateDir).map((job) => [job.job_id, job.status]), [
      [taskId, "completed"],
    ]);
  } finally {
    await client.close();
    server.child.kill("SIGTERM");
    assert.equal((await server.child.status).code, 0);
    await server.drained;
  }
});
