/**
 * `tasks/get|result|list|cancel` as observed requests: the Gate decides each one and observers
 * hear how it ended (the SDK's built-in handlers skipped both), a session sees only its own
 * tasks, and the spec's protocol errors are -32602 with a record in `data`.
 */
import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  McpError,
  RELATED_TASK_META_KEY,
} from "@modelcontextprotocol/sdk/types.js";
import type { FlightEvent } from "../../src/recorder/mod.ts";
import { createGateObserver, READ_WRITE_PROFILE } from "../../src/security/mod.ts";
import type { ObservedRequest, RequestCompletion, RequestObserver } from "../../src/server/mod.ts";
import { leftoverRecorder } from "../../src/server/audit_chain.ts";
import {
  openRunSession,
  type RunSession,
  type RunWorkspace,
  runWorkspace,
  setIterationLimit,
} from "./run_support.ts";

/** A Gate that records its decisions, the chain's leftover recorder, and what ended how. */
function auditedObservers(ws: RunWorkspace) {
  const events: FlightEvent[] = [];
  const endings: { request: ObservedRequest; completion: RequestCompletion }[] = [];
  const observers: RequestObserver[] = [
    createGateObserver({
      context: { profile: READ_WRITE_PROFILE, mode: "read-write" },
      resolvePath: (path) => ws.sandbox.resolveForCreate(path),
      record: (event) => void events.push(event),
    }),
    { finished: (request, completion) => void endings.push({ request, completion }) },
    leftoverRecorder(
      (event) => void events.push(event),
      (request) => ({
        jobId: request.taskId ?? null,
        taskId: request.taskId ?? null,
        workflowRunId: null,
        traceId: null,
      }),
    )("read-write"),
  ];
  const decided = (method: string) =>
    events.filter((e) =>
      e.kind === "mcp.gate_decision" && (e.payload as { method: string }).method === method
    );
  return { observers, events, endings, decided };
}

async function startTask(session: RunSession, caseDir: string): Promise<string> {
  const created = await session.client.request(
    {
      method: "tools/call",
      params: { name: "cobre/run", arguments: { case_dir: caseDir }, task: { ttl: 60_000 } },
    },
    CreateTaskResultSchema,
  );
  return created.task.taskId;
}

function rejection(promise: Promise<unknown>): Promise<McpError> {
  return promise.then(
    () => assert.fail("expected a JSON-RPC error"),
    (error: unknown) => {
      assert.ok(error instanceof McpError, String(error));
      return error;
    },
  );
}

Deno.test("tasks/get, tasks/result, tasks/list and tasks/cancel pass the Gate and are recorded", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  const audit = auditedObservers(ws);
  const session = await openRunSession(ws, { jobs: true, observers: audit.observers });
  try {
    const taskId = await startTask(session, ws.caseDir("stochastic_par"));
    const tasks = session.client.experimental.tasks;
    const result = await tasks.getTaskResult(taskId, CallToolResultSchema);
    assert.equal(result.isError, false, JSON.stringify(result.content));
    assert.deepEqual(result._meta?.[RELATED_TASK_META_KEY], { taskId });
    assert.equal((await tasks.getTask(taskId)).status, "completed");
    assert.deepEqual((await tasks.listTasks()).tasks.map((t) => t.taskId), [taskId]);

    // The spec's protocol errors: cancelling a finished task, an unknown id.
    const late = await rejection(tasks.cancelTask(taskId));
    assert.equal(late.code, -32602);
    assert.deepEqual((late.data as { kind: string; context: unknown }).kind, "InvalidArgument");
    assert.deepEqual((late.data as { context: unknown }).context, {
      task_id: taskId,
      status: "completed",
    });
    const unknown = await rejection(tasks.getTask("no-such-task"));
    assert.equal(unknown.code, -32602);
    assert.match(unknown.message, /Task "no-such-task" not found/);

    for (const method of ["tasks/get", "tasks/result", "tasks/list", "tasks/cancel"]) {
      const decisions = audit.decided(method);
      assert.ok(decisions.length > 0, `${method} was decided by the Gate`);
      assert.ok(decisions.every((e) => e.gateDecision === "allow"));
    }
    const cancel = audit.endings.find((e) => e.request.method === "tasks/cancel");
    assert.equal(cancel?.completion.outcome, "tool-error");
    assert.equal(cancel?.completion.error?.kind, "InvalidArgument");
    assert.equal(cancel?.request.taskId, taskId, "a visible task correlates its requests");
    const refused = audit.events.filter((e) => e.kind === "mcp.request_refused");
    assert.deepEqual(
      refused.map((e) => [(e.payload as { method: string }).method, e.taskId ?? null]),
      [["tasks/cancel", taskId], ["tasks/get", null]],
    );
  } finally {
    await session.close();
  }
});

Deno.test("a Gate that denies tasks/get answers -32600 with its record and the handler never runs", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  let reads = 0;
  const denyGet: RequestObserver = {
    admit: (request) =>
      request.method === "tasks/get"
        ? {
          allow: false,
          error: {
            kind: "PermissionDenied",
            message: "Not in this profile.",
            context: {},
            suggestion: null,
          },
        }
        : { allow: true },
    finished: (request, completion) => {
      if (request.method === "tasks/get" && completion.outcome !== "denied") reads++;
    },
  };
  const session = await openRunSession(ws, { jobs: true, observers: [denyGet] });
  try {
    const taskId = await startTask(session, ws.caseDir("stochastic_par"));
    const denied = await rejection(session.client.experimental.tasks.getTask(taskId));
    assert.equal(denied.code, -32600);
    assert.equal((denied.data as { kind: string }).kind, "PermissionDenied");
    assert.equal(reads, 0);
    await session.client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
  } finally {
    await session.close();
  }
});

Deno.test("a session sees only its own tasks: another session's id is unknown everywhere", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  const owner = await openRunSession(ws, { jobs: true, transportSessionId: "session-a" });
  const other = await openRunSession(ws, {
    jobs: true,
    transportSessionId: "session-b",
    coordinator: owner.coordinator,
  });
  try {
    const taskId = await startTask(owner, ws.caseDir("stochastic_par"));
    const theirs = other.client.experimental.tasks;
    for (
      const attempt of [
        () => theirs.getTask(taskId),
        () => theirs.getTaskResult(taskId, CallToolResultSchema),
        () => theirs.cancelTask(taskId),
      ]
    ) {
      const error = await rejection(attempt());
      assert.equal(error.code, -32602);
      assert.match(error.message, /not found/);
    }
    assert.deepEqual((await theirs.listTasks()).tasks, []);
    const mine = owner.client.experimental.tasks;
    const result = await mine.getTaskResult(taskId, CallToolResultSchema);
    assert.equal(result.isError, false);
    assert.deepEqual((await mine.listTasks()).tasks.map((t) => t.taskId), [taskId]);
  } finally {
    await other.close();
    await owner.close();
  }
});

Deno.test("a bad tasks/list cursor is -32602", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  const session = await openRunSession(ws, { jobs: true });
  try {
    const error = await rejection(session.client.experimental.tasks.listTasks("not-a-task"));
    assert.equal(error.code, -32602);
    assert.equal((error.data as { kind: string }).kind, "InvalidArgument");
  } finally {
    await session.close();
  }
});

Deno.test("a blocking tasks/result the client cancels ends as cancelled; the task runs on", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  const caseDir = ws.caseDir("stochastic_par");
  await setIterationLimit(caseDir, 1_000_000);
  const endings: { method: string; outcome: string }[] = [];
  const session = await openRunSession(ws, {
    jobs: true,
    observers: [{
      finished: (request, completion) =>
        void endings.push({ method: request.method, outcome: completion.outcome }),
    }],
  });
  try {
    const taskId = await startTask(session, caseDir);
    const tasks = session.client.experimental.tasks;
    const waiting = new AbortController();
    const blocked = tasks.getTaskResult(taskId, CallToolResultSchema, { signal: waiting.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    waiting.abort("no longer needed");
    await assert.rejects(blocked);
    for (let tries = 0; !endings.some((e) => e.method === "tasks/result"); tries++) {
      if (tries > 200) assert.fail("tasks/result never ended");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.deepEqual(endings.filter((e) => e.method === "tasks/result"), [
      { method: "tasks/result", outcome: "cancelled" },
    ]);
    assert.equal((await tasks.getTask(taskId)).status, "working");
    assert.equal((await tasks.cancelTask(taskId)).status, "cancelled");
  } finally {
    await session.close();
  }
});
