/**
 * Evidence from a launched read-write server (least-privilege launch line, real Flight Recorder
 * and job store): every request the session sends, `initialize`, `ping` and the task requests
 * included, leaves a Gate decision in `fr_events`; refusals (a forged cancellation, cancelling a
 * finished task) are recorded as such; the run's job row names its case and output directories.
 */
import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  EmptyResultSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { DatabaseSync } from "node:sqlite";
import { readFlightEvents } from "../../src/recorder/mod.ts";
import { runWorkspace, spawnWriteServer } from "./run_support.ts";

Deno.test("every request of a launched server is decided by the Gate and recorded; refusals too", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  const caseDir = ws.caseDir("stochastic_par");
  const server = await spawnWriteServer(ws);
  let taskId = "";
  try {
    const { client } = server;
    await client.ping();
    const created = await client.request(
      {
        method: "tools/call",
        params: { name: "cobre/run", arguments: { case_dir: caseDir }, task: {} },
      },
      CreateTaskResultSchema,
    );
    taskId = created.task.taskId;
    const tasks = client.experimental.tasks;
    const result = await tasks.getTaskResult(taskId, CallToolResultSchema, { timeout: 120_000 });
    assert.equal(result.isError, false, JSON.stringify(result.content));
    assert.equal((await tasks.getTask(taskId)).status, "completed");
    assert.equal((await tasks.listTasks()).tasks.length, 1);
    await assert.rejects(tasks.cancelTask(taskId), /already ended/);
    await assert.rejects(
      client.request({ method: "cobre/nothing", params: {} }, EmptyResultSchema),
      /Method not found/,
    );
    await client.notification({
      method: "notifications/cancelled",
      params: { requestId: 4242, reason: "not mine" },
    });
    await client.ping(); // the notification is handled before this answer comes back
  } finally {
    await server.closeStdin();
    assert.equal((await server.child.status).code, 0);
  }

  const { rows: decisions } = await readFlightEvents(ws.stateDir, { kind: "mcp.gate_decision" });
  const decided = new Map<string, string[]>();
  for (const row of decisions) {
    const method = (row.payload as { method: string }).method;
    decided.set(method, [...(decided.get(method) ?? []), row.gateDecision ?? "?"]);
  }
  for (
    const method of [
      "initialize",
      "ping",
      "tools/call",
      "tasks/result",
      "tasks/get",
      "tasks/list",
      "tasks/cancel",
    ]
  ) {
    assert.ok(decided.get(method)?.includes("allow"), `${method} was allowed by the Gate`);
  }
  assert.deepEqual(decided.get("cobre/nothing"), ["deny"]);

  const { rows: refused } = await readFlightEvents(ws.stateDir, { kind: "mcp.request_refused" });
  const forged = refused.find((r) =>
    (r.payload as { method: string }).method === "notifications/cancelled"
  );
  assert.deepEqual(forged?.clientClaims, { request_id: 4242, reason: "not mine" });
  const lateCancel = refused.find((r) =>
    (r.payload as { method: string }).method === "tasks/cancel"
  );
  assert.equal(lateCancel?.taskId, taskId, "the refusal is correlated with the task");
  assert.equal(lateCancel?.errorCode, "InvalidArgument");

  const db = new DatabaseSync(`${ws.stateDir}/jobs.sqlite`, { readOnly: true });
  try {
    const row = db.prepare("SELECT case_dir, output_dir FROM ai_jobs WHERE job_id = ?")
      .get(taskId) as { case_dir: string; output_dir: string };
    assert.deepEqual({ ...row }, { case_dir: caseDir, output_dir: `${caseDir}/output` });
  } finally {
    db.close();
  }
});
