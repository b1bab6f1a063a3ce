/**
 * `cobre/run` as an MCP task (protocol 2025-11-25) with the job and task stores: the call answers a
 * task at once, `tasks/get|list|result` follow it, `tasks/cancel` stops the run at an iteration
 * boundary, and the task is the run's only job row.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  McpError,
  RELATED_TASK_META_KEY,
} from "@modelcontextprotocol/sdk/types.js";
import { directFileAccess } from "../../src/common/mod.ts";
import { readTrainingStatus } from "../../src/output/mod.ts";
import {
  exists,
  openRunSession,
  recordOf,
  runWorkspace,
  setIterationLimit,
  startRunTask,
} from "./run_support.ts";

type Progress = { progress: number; _meta?: Record<string, Record<string, unknown>> };

function jobRows(stateDir: string): { job_id: string; status: string; progress: number | null }[] {
  const db = new DatabaseSync(`${stateDir}/jobs.sqlite`, { readOnly: true });
  try {
    return db.prepare("SELECT job_id, status, progress FROM ai_jobs WHERE tool_name = 'cobre/run'")
      .all() as { job_id: string; status: string; progress: number | null }[];
  } finally {
    db.close();
  }
}

Deno.test("a task-augmented cobre/run answers a task at once and tasks/result gives the run's result", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  const session = await openRunSession(ws, { jobs: true });
  try {
    const caps = session.client.getServerCapabilities();
    assert.deepEqual(caps?.tasks, { list: {}, cancel: {}, requests: { tools: { call: {} } } });
    const { tools } = await session.client.listTools();
    assert.deepEqual(tools.find((t) => t.name === "cobre/run")?.execution, {
      taskSupport: "optional",
    });
    assert.equal(tools.find((t) => t.name === "cobre/validate")?.execution, undefined);

    const progress: Progress[] = [];
    const created = await session.client.request(
      {
        method: "tools/call",
        params: {
          name: "cobre/run",
          arguments: { case_dir: ws.caseDir("stochastic_par") },
          task: { ttl: 60_000 },
        },
      },
      CreateTaskResultSchema,
      { onprogress: (p) => void progress.push(p as Progress) },
    );
    const taskId = created.task.taskId;
    assert.equal(created.task.status, "working");

    const tasks = session.client.experimental.tasks;
    const result = await tasks.getTaskResult(taskId, CallToolResultSchema);
    assert.equal(result.isError, false, JSON.stringify(result.content));
    const summary = result.structuredContent as {
      status: string;
      training: { iterations: number };
    };
    assert.equal(summary.status, "completed");
    assert.equal(summary.training.iterations, 8); // stochastic_par: iteration limit 8
    assert.deepEqual(result._meta?.[RELATED_TASK_META_KEY], { taskId });
    assert.equal((await tasks.getTask(taskId)).status, "completed");
    const listed = await tasks.listTasks();
    assert.deepEqual(listed.tasks.map((t) => t.taskId), [taskId]);

    // Progress kept the request's token after the CreateTaskResult, tagged with the task.
    assert.ok(progress.length >= 8, `progress: ${progress.length}`);
    for (const p of progress) assert.deepEqual(p._meta?.[RELATED_TASK_META_KEY], { taskId });
    assert.deepEqual(progress.slice(0, 8).map((p) => p.progress), [1, 2, 3, 4, 5, 6, 7, 8]);

    // The task is the run's one job: the call that created it opened no second row.
    await session.coordinator.idle();
    const rows = jobRows(ws.stateDir);
    assert.deepEqual(rows.map((r) => [r.job_id, r.status]), [[taskId, "completed"]]);
    assert.equal(rows[0]!.progress, progress.at(-1)!.progress, "progress reached the job row");
  } finally {
    await session.close();
  }
});

Deno.test("tasks/cancel stops a running cobre/run at an iteration boundary with a partial output", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  const caseDir = ws.caseDir("stochastic_par");
  await setIterationLimit(caseDir, 1_000_000);
  const session = await openRunSession(ws, { jobs: true });
  try {
    const { taskId, running } = await startRunTask(session.client, caseDir, 3);
    await running;
    const tasks = session.client.experimental.tasks;
    const cancelled = await tasks.cancelTask(taskId);
    assert.equal(cancelled.status, "cancelled");
    // Asked at once: tasks/result waits for the run to publish its last iteration, then says
    // where that partial output is.
    const result = await tasks.getTaskResult(taskId, CallToolResultSchema);
    assert.equal(result.isError, true);
    assert.deepEqual(result._meta?.[RELATED_TASK_META_KEY], { taskId });
    const record = recordOf(result);
    assert.equal(record.kind, "Cancelled");
    assert.equal(record.context.status, "partial");
    assert.equal(record.context.output_dir, `${caseDir}/output`);
    assert.equal(record.context.termination_reason, "cancelled");
    assert.equal(record.context.training_success_marker, false);
    assert.match(record.message, /partial output/);

    // The output is there and never marked complete.
    const status = await readTrainingStatus(`${caseDir}/output`, directFileAccess);
    assert.equal(status.termination_reason, "cancelled");
    assert.equal(status.success_marker, false);
    assert.equal(await exists(`${caseDir}/output/training/_SUCCESS`), false);
    assert.notEqual(status.status, "complete");
    assert.ok((status.iterations_completed ?? 0) >= 3);
    assert.equal(record.context.iterations_completed, status.iterations_completed);
    assert.equal((await tasks.getTask(taskId)).status, "cancelled", "the task stays cancelled");
    await session.coordinator.idle();
    assert.deepEqual(jobRows(ws.stateDir).map((r) => r.status), ["cancelled"]);
  } finally {
    await session.close();
  }
});

Deno.test("task-augmented calls of tools without task support are -32601; a read-only server declares no tasks", async () => {
  await using ws = await runWorkspace(["thermal_merit_order"]);
  const caseDir = ws.caseDir("thermal_merit_order");
  const taskCall = (name: string) => ({
    method: "tools/call" as const,
    params: { name, arguments: { case_dir: caseDir }, task: {} },
  });
  const writable = await openRunSession(ws, { jobs: true });
  try {
    await assert.rejects(
      () => writable.client.request(taskCall("cobre/validate"), CreateTaskResultSchema),
      (error: unknown) => error instanceof McpError && error.code === -32601,
    );
  } finally {
    await writable.close();
  }
  const readOnly = await openRunSession(ws, { jobs: true, mode: "read-only" });
  try {
    // It cannot run its only task tool, so it offers no tasks and runs none.
    assert.equal(readOnly.client.getServerCapabilities()?.tasks, undefined);
    const { tools } = await readOnly.client.listTools();
    assert.equal(tools.find((t) => t.name === "cobre/run")?.execution, undefined);
    await assert.rejects(
      () => readOnly.client.request(taskCall("cobre/run"), CreateTaskResultSchema),
      McpError,
    );
    assert.equal(readOnly.jobs?.list().length, 0, "no task was created");
    assert.equal(await exists(`${caseDir}/output`), false);
  } finally {
    await readOnly.close();
  }
});
