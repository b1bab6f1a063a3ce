import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type {
  CreateTaskRequestHandlerExtra,
  TaskRequestHandlerExtra,
} from "@modelcontextprotocol/sdk/experimental/tasks";
import {
  type CallToolResult,
  CallToolResultSchema,
  CreateTaskResultSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { DurableTaskStore, type JobStore, openJobStore } from "../../src/jobs/mod.ts";
import type { FlightEvent } from "../../src/recorder/mod.ts";
import { killHard, spawnReady } from "./child_process.ts";

const SERVER_ID = "srv-test";

/** Work items the test finishes or fails by hand, keyed by task id. */
type Finisher = (outcome: "completed" | "failed", text: string) => Promise<void>;

interface Pair {
  client: Client;
  tasks: DurableTaskStore;
  jobs: JobStore;
  finishers: Map<string, Finisher>;
  cancelled: string[];
  close(): Promise<void>;
}

/** A real SDK server with a test-only task tool, linked to a real client in memory. */
async function connect(stateDir: string): Promise<Pair> {
  const jobs = openJobStore({ stateDir });
  const tasks = new DurableTaskStore(jobs, {
    serverId: SERVER_ID,
    pageSize: 2,
    defaultPollIntervalMs: 20,
  });
  const finishers = new Map<string, Finisher>();
  const cancelled: string[] = [];
  tasks.onStatusChange((taskId, status) => {
    if (status === "cancelled") cancelled.push(taskId);
  });
  const server = new McpServer({ name: "task-test", version: "0.0.0" }, {
    capabilities: { tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } },
    taskStore: tasks,
  });
  server.experimental.tasks.registerToolTask("test_slow", {
    description: "Test-only: a task the test finishes by hand.",
    execution: { taskSupport: "required" },
  }, {
    async createTask(extra: CreateTaskRequestHandlerExtra) {
      const task = await extra.taskStore.createTask({ ttl: extra.taskRequestedTtl ?? null });
      finishers.set(
        task.taskId,
        (outcome, text) =>
          extra.taskStore.storeTaskResult(task.taskId, outcome, {
            content: [{ type: "text", text }],
            ...(outcome === "failed" ? { isError: true } : {}),
          }),
      );
      return { task };
    },
    getTask: (extra: TaskRequestHandlerExtra) => extra.taskStore.getTask(extra.taskId),
    getTaskResult: async (extra: TaskRequestHandlerExtra) =>
      await extra.taskStore.getTaskResult(extra.taskId) as CallToolResult,
  });
  const client = new Client({ name: "task-test-client", version: "0.0.0" });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  return {
    client,
    tasks,
    jobs,
    finishers,
    cancelled,
    async close() {
      await client.close();
      await server.close();
      jobs.close();
    },
  };
}

async function startTask(client: Client): Promise<string> {
  const created = await client.request(
    { method: "tools/call", params: { name: "test_slow", arguments: {} } },
    CreateTaskResultSchema,
    { task: { ttl: 60_000 } },
  );
  return created.task.taskId;
}

async function withStateDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "tasks_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("DurableTaskStore serves tasks/get, tasks/result and tasks/list to a real SDK client", async () => {
  await withStateDir(async (dir) => {
    const pair = await connect(dir);
    try {
      const taskId = await startTask(pair.client);
      const working = await pair.client.experimental.tasks.getTask(taskId);
      assert.equal(working.status, "working");
      assert.equal(working.ttl, 60_000);
      const job = pair.jobs.get(taskId)!;
      assert.equal(job.toolName, "test_slow");
      assert.equal(job.mcpServerId, SERVER_ID);

      await pair.finishers.get(taskId)!("completed", "sum=42");
      const done = await pair.client.experimental.tasks.getTask(taskId);
      assert.equal(done.status, "completed");
      const result = await pair.client.experimental.tasks.getTaskResult(
        taskId,
        CallToolResultSchema,
      );
      assert.deepEqual(result.content, [{ type: "text", text: "sum=42" }]);
      const listed = await pair.client.experimental.tasks.listTasks();
      assert.deepEqual(listed.tasks.map((t: { taskId: string }) => t.taskId), [taskId]);
    } finally {
      await pair.close();
    }
  });
});

Deno.test("tasks/result waits for a working task and then returns its result", async () => {
  await withStateDir(async (dir) => {
    const pair = await connect(dir);
    try {
      const taskId = await startTask(pair.client);
      const pending = pair.client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
      setTimeout(() => pair.finishers.get(taskId)!("failed", "solver failed"), 20);
      const result = await pending;
      assert.equal(result.isError, true);
      assert.equal((await pair.client.experimental.tasks.getTask(taskId)).status, "failed");
    } finally {
      await pair.close();
    }
  });
});

Deno.test("tasks/cancel cancels the task, notifies listeners and refuses a later result", async () => {
  await withStateDir(async (dir) => {
    const pair = await connect(dir);
    try {
      const taskId = await startTask(pair.client);
      const cancelled = await pair.client.experimental.tasks.cancelTask(taskId);
      assert.equal(cancelled.status, "cancelled");
      assert.deepEqual(pair.cancelled, [taskId]);
      assert.equal(pair.jobs.get(taskId)!.status, "cancelled");
      // The run finishing after the cancel must not overwrite it.
      await assert.rejects(pair.finishers.get(taskId)!("completed", "too late"), /already ended/);
      const result = await pair.client.experimental.tasks.getTaskResult(
        taskId,
        CallToolResultSchema,
      );
      assert.equal(result.isError, true);
      const record = JSON.parse((result.content[0] as { text: string }).text);
      assert.equal(record.kind, "Cancelled");
      await assert.rejects(pair.client.experimental.tasks.cancelTask(taskId), /terminal/);
    } finally {
      await pair.close();
    }
  });
});

Deno.test("A completed task and its result survive a server restart", async () => {
  await withStateDir(async (dir) => {
    const first = await connect(dir);
    const taskId = await startTask(first.client);
    await first.finishers.get(taskId)!("completed", "lower bound 1234.5");
    await first.close();

    const second = await connect(dir);
    try {
      assert.equal((await second.client.experimental.tasks.getTask(taskId)).status, "completed");
      const result = await second.client.experimental.tasks.getTaskResult(
        taskId,
        CallToolResultSchema,
      );
      assert.deepEqual(result.content, [{ type: "text", text: "lower bound 1234.5" }]);
    } finally {
      await second.close();
    }
  });
});

Deno.test("Crash: a task whose process was SIGKILLed reports failed with the reason", async () => {
  await withStateDir(async (dir) => {
    const { child, firstLine: taskId } = await spawnReady(
      new URL("./hold_task_child.ts", import.meta.url),
      [dir, SERVER_ID],
    );
    const pair = await connect(dir);
    try {
      // Alive elsewhere: still working.
      assert.equal((await pair.client.experimental.tasks.getTask(taskId)).status, "working");
      await killHard(child);
      const task = await pair.client.experimental.tasks.getTask(taskId);
      assert.equal(task.status, "failed");
      assert.match(task.statusMessage ?? "", /interrupted: the process running it exited/);
      const result = await pair.client.experimental.tasks.getTaskResult(
        taskId,
        CallToolResultSchema,
      );
      assert.equal(result.isError, true);
      const record = JSON.parse((result.content[0] as { text: string }).text);
      assert.equal(record.kind, "InternalError");
      assert.equal(record.context.status, "interrupted");
    } finally {
      await pair.close();
    }
  });
});

Deno.test("tasks/list pages with a cursor and rejects a forged one", async () => {
  await withStateDir(async (dir) => {
    const pair = await connect(dir);
    try {
      const ids = [
        await startTask(pair.client),
        await startTask(pair.client),
        await startTask(pair.client),
      ];
      const first = await pair.client.experimental.tasks.listTasks();
      assert.equal(first.tasks.length, 2);
      assert.ok(first.nextCursor);
      const second = await pair.client.experimental.tasks.listTasks(first.nextCursor);
      assert.equal(second.nextCursor, undefined);
      assert.deepEqual(
        [...first.tasks, ...second.tasks].map((t) => t.taskId).sort(),
        [...ids].sort(),
      );
      await assert.rejects(
        pair.client.experimental.tasks.listTasks("forged-cursor"),
        /Invalid cursor/,
      );
      await assert.rejects(pair.client.experimental.tasks.getTask("0".repeat(32)), /not found/i);
    } finally {
      await pair.close();
    }
  });
});

const fakeRequest = { method: "tools/call", params: { name: "test_slow", arguments: {} } };

Deno.test("DurableTaskStore hides a task from other sessions and other servers", async () => {
  await withStateDir(async (dir) => {
    const jobs = openJobStore({ stateDir: dir });
    try {
      const mine = new DurableTaskStore(jobs, { serverId: "A" });
      const other = new DurableTaskStore(jobs, { serverId: "B" });
      const task = await mine.createTask({}, 1, fakeRequest, "session-1");
      assert.ok(await mine.getTask(task.taskId, "session-1"));
      assert.equal(await mine.getTask(task.taskId, "session-2"), null);
      assert.equal(await mine.getTask(task.taskId), null);
      assert.equal(await other.getTask(task.taskId, "session-1"), null);
      assert.deepEqual((await mine.listTasks(undefined, "session-2")).tasks, []);
      await assert.rejects(
        mine.updateTaskStatus(task.taskId, "cancelled", "x", "session-2"),
        /not found/,
      );
      await assert.rejects(mine.getTaskResult(task.taskId, "session-2"), /not found/);
    } finally {
      jobs.close();
    }
  });
});

Deno.test("DurableTaskStore caps the ttl and expires ended tasks ttl after they end", async () => {
  await withStateDir(async (dir) => {
    let now = Date.UTC(2026, 0, 1);
    const jobs = openJobStore({ stateDir: dir, now: () => now });
    try {
      const tasks = new DurableTaskStore(jobs, { serverId: "A", maxTtlMs: 10_000 });
      const unlimited = await tasks.createTask({ ttl: null }, 1, fakeRequest);
      assert.equal(unlimited.ttl, 10_000);
      const short = await tasks.createTask({ ttl: 1_000, pollInterval: 250 }, 2, fakeRequest);
      assert.equal(short.ttl, 1_000);
      assert.equal(short.pollInterval, 250);
      now += 5_000; // still working past its ttl: kept while active
      assert.equal((await tasks.getTask(short.taskId))?.status, "working");
      await tasks.storeTaskResult(short.taskId, "completed", { content: [] });
      now += 999;
      assert.equal((await tasks.getTask(short.taskId))?.status, "completed");
      now += 1;
      assert.equal(await tasks.getTask(short.taskId), null);
      assert.equal(tasks.purgeExpired(), 1);
      assert.equal(jobs.get(short.taskId), null);
      assert.ok(await tasks.getTask(unlimited.taskId));
    } finally {
      jobs.close();
    }
  });
});

Deno.test("DurableTaskStore ignores correlation ids in context that it did not mint", async () => {
  await withStateDir(async (dir) => {
    const jobs = openJobStore({ stateDir: dir });
    try {
      const tasks = new DurableTaskStore(jobs, { serverId: "A" });
      const trusted = "a".repeat(32);
      const ok = await tasks.createTask(
        { context: { workflowRunId: trusted, traceId: trusted } },
        1,
        {
          ...fakeRequest,
          params: { ...fakeRequest.params, _meta: { progressToken: "run-7" } },
        },
      );
      const okJob = jobs.get(ok.taskId)!;
      assert.equal(okJob.workflowRunId, trusted);
      assert.equal(okJob.mcpProgressToken, "run-7");
      const spoofed = await tasks.createTask(
        { context: { workflowRunId: "'; DROP TABLE ai_jobs; --", traceId: 42 } },
        2,
        fakeRequest,
      );
      const spoofedJob = jobs.get(spoofed.taskId)!;
      assert.notEqual(spoofedJob.workflowRunId, "'; DROP TABLE ai_jobs; --");
      assert.match(spoofedJob.workflowRunId, /^[0-9a-f]{32}$/);
      assert.match(spoofedJob.traceId, /^[0-9a-f]{32}$/);
    } finally {
      jobs.close();
    }
  });
});

Deno.test("DurableTaskStore records each task's creation and status changes", async () => {
  await withStateDir(async (dir) => {
    const jobs = openJobStore({ stateDir: dir });
    try {
      const events: FlightEvent[] = [];
      const tasks = new DurableTaskStore(jobs, { serverId: "A", onEvent: (e) => events.push(e) });
      const task = await tasks.createTask({}, 1, fakeRequest, "s1");
      await tasks.updateTaskStatus(task.taskId, "input_required", undefined, "s1");
      await tasks.storeTaskResult(task.taskId, "completed", { content: [] }, "s1");
      assert.deepEqual(
        events.map((
          e,
        ) => [e.kind, e.taskId, e.sessionId, (e.payload as { status: string }).status]),
        [
          ["mcp.task_status", task.taskId, "s1", "working"],
          ["mcp.task_status", task.taskId, "s1", "input_required"],
          ["mcp.task_status", task.taskId, "s1", "completed"],
        ],
      );
    } finally {
      jobs.close();
    }
  });
});
