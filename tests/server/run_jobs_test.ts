/**
 * The `ai_jobs` row of a `cobre/run` carries where the run read and wrote: the canonical case
 * directory and `<case_dir>/output`, as the sandbox resolved them, for plain and task-augmented
 * calls alike (the run reports them through `ctx.describeJob`).
 */
import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/types"
import { CallToolResultSchema, CreateTaskResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { openRunSession, runWorkspace } from "./run_support.ts";

Deno.test("a plain cobre/run's job row has the canonical case_dir and its output_dir", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  const session = await openRunSession(ws, { jobs: true });
  try {
    const caseDir = ws.caseDir("stochastic_par");
    // Spelled with a `.` segment and a trailing slash: the row keeps the canonical path.
    const result = await session.client.callTool({
      name: "cobre/run",
      arguments: { case_dir: `${ws.allowed}/./stochastic_par/` },
    });
    assert.equal(result.isError, false, JSON.stringify(result.content));
    await session.coordinator.idle();
    const [job, ...others] = session.jobs!.list({ toolName: "cobre/run" });
    assert.equal(others.length, 0);
    assert.equal(job!.caseDir, caseDir);
    assert.equal(job!.outputDir, `${caseDir}/output`);
    assert.equal((result.structuredContent as { output_dir: string }).output_dir, job!.outputDir);
  } finally {
    await session.close();
  }
});

Deno.test("a task-augmented cobre/run's task row has case_dir and output_dir too", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  const session = await openRunSession(ws, { jobs: true });
  try {
    const caseDir = ws.caseDir("stochastic_par");
    const created = await session.client.request(
      {
        method: "tools/call",
        params: { name: "cobre/run", arguments: { case_dir: caseDir }, task: {} },
      },
      CreateTaskResultSchema,
    );
    const taskId = created.task.taskId;
    const result = await session.client.experimental.tasks.getTaskResult(
      taskId,
      CallToolResultSchema,
    );
    assert.equal(result.isError, false, JSON.stringify(result.content));
    const job = session.jobs!.get(taskId);
    assert.equal(job?.caseDir, caseDir);
    assert.equal(job?.outputDir, `${caseDir}/output`);
  } finally {
    await session.close();
  }
});

Deno.test("a run refused by validation still names its case_dir and no output_dir", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  const caseDir = ws.caseDir("stochastic_par");
  await Deno.writeTextFile(`${caseDir}/config.json`, '{"training": {"forward_passes": -1}}');
  const session = await openRunSession(ws, { jobs: true });
  try {
    const created = await session.client.request(
      {
        method: "tools/call",
        params: { name: "cobre/run", arguments: { case_dir: caseDir }, task: {} },
      },
      CreateTaskResultSchema,
    );
    const result = await session.client.experimental.tasks.getTaskResult(
      created.task.taskId,
      CallToolResultSchema,
    );
    assert.equal(result.isError, true);
    const job = session.jobs!.get(created.task.taskId);
    assert.equal(job?.status, "failed");
    assert.equal(job?.caseDir, caseDir);
    assert.equal(job?.outputDir, null, "nothing was to be written");
  } finally {
    await session.close();
  }
});
