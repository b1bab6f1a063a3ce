import assert from "node:assert/strict";
import { join } from "node:path";
import { CobreError } from "../../src/common/mod.ts";
import { type FlightEvent, openFlightRecorder, readFlightEvents } from "../../src/recorder/mod.ts";
import { eventually, withStateDir } from "./helpers.ts";

const open = (stateDir: string, extra: { batchSize?: number; flushIntervalMs?: number } = {}) =>
  openFlightRecorder({ stateDir, serverId: "srv-test", revokeFfi: false, ...extra });

Deno.test("record() stores every column and query() reads it back", async () => {
  await withStateDir(async (dir) => {
    const recorder = await open(dir);
    try {
      const before = Date.now();
      const eventId = recorder.record({
        kind: "mcp.gate_decision",
        source: "gate",
        level: "warning",
        message: "cobre/run denied",
        sessionId: "sess-1",
        taskId: "task-1",
        jobId: "job-1",
        workflowRunId: "wf-1",
        traceId: "trace-1",
        toolName: "cobre/run",
        capabilityProfileId: "read-only",
        gateDecision: "deny",
        durationMs: 1.25,
        errorCode: "WriteDisabled",
        payload: { reason: "write_disabled", paths: ["/data/a"] },
        clientClaims: { progressToken: "run-1" },
      });
      const [row, ...rest] = await recorder.query();
      assert.deepEqual(rest, []);
      assert.ok(row);
      assert.equal(row.eventId, eventId);
      assert.equal(row.seq, 0);
      assert.ok(Date.parse(row.tsUtc) >= before - 1 && Date.parse(row.tsUtc) <= Date.now());
      assert.deepEqual(
        { ...row, eventId: null, tsUtc: null },
        {
          eventId: null,
          seq: 0,
          tsUtc: null,
          serverId: "srv-test",
          sessionId: "sess-1",
          taskId: "task-1",
          jobId: "job-1",
          workflowRunId: "wf-1",
          traceId: "trace-1",
          eventKind: "mcp.gate_decision",
          source: "gate",
          level: "warning",
          message: "cobre/run denied",
          payload: { reason: "write_disabled", paths: ["/data/a"] },
          toolName: "cobre/run",
          capabilityProfileId: "read-only",
          gateDecision: "deny",
          durationMs: 1.25,
          errorCode: "WriteDisabled",
          clientClaims: { progressToken: "run-1" },
        },
      );
    } finally {
      await recorder.close();
    }
  });
});

Deno.test("SQL injection: agent text is stored verbatim and never runs", async () => {
  await withStateDir(async (dir) => {
    const recorder = await open(dir);
    try {
      const hostile = `'); DROP TABLE fr_events; SELECT * FROM read_csv('/etc/passwd'); --`;
      recorder.record({
        kind: "mcp.tool_call",
        source: "server",
        message: hostile,
        toolName: hostile,
        jobId: hostile,
        payload: { case_dir: hostile },
      });
      recorder.record({ kind: "mcp.tool_call", source: "server", message: "after" });
      const rows = await recorder.query({ jobId: hostile });
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.message, hostile);
      assert.deepEqual(rows[0]!.payload, { case_dir: hostile });
      assert.equal((await recorder.query()).length, 2);
    } finally {
      await recorder.close();
    }
  });
});

Deno.test("query() filters by job, kind, session and time", async () => {
  await withStateDir(async (dir) => {
    const recorder = await open(dir);
    try {
      const events: FlightEvent[] = [
        { kind: "mcp.tool_call", source: "server", message: "a", jobId: "j1", sessionId: "s1" },
        { kind: "mcp.progress", source: "server", message: "b", jobId: "j1", sessionId: "s1" },
        { kind: "mcp.progress", source: "server", message: "c", jobId: "j2", sessionId: "s2" },
      ];
      for (const event of events) recorder.record(event);
      await recorder.flush();
      const messages = async (filter: Parameters<typeof recorder.query>[0]) =>
        (await recorder.query(filter)).map((row) => row.message);
      assert.deepEqual(await messages({ jobId: "j1" }), ["a", "b"]);
      assert.deepEqual(await messages({ kind: "mcp.progress" }), ["b", "c"]);
      assert.deepEqual(await messages({ jobId: "j1", kind: "mcp.progress" }), ["b"]);
      assert.deepEqual(await messages({ sessionId: "s2" }), ["c"]);
      assert.deepEqual(await messages({ sinceMs: Date.now() + 60_000 }), []);
      assert.deepEqual(await messages({ sinceMs: Date.now() - 60_000, limit: 2 }), ["a", "b"]);
      assert.deepEqual(await messages({ newest: true, limit: 2 }), ["b", "c"]);
    } finally {
      await recorder.close();
    }
  });
});

Deno.test("Batching: a full batch is written without any flush call", async () => {
  await withStateDir(async (dir) => {
    // A long interval, so only the batch size can trigger the write.
    const recorder = await open(dir, { batchSize: 50, flushIntervalMs: 60_000 });
    try {
      for (let i = 0; i < 120; i++) {
        recorder.record({ kind: "mcp.progress", source: "engine", message: `iteration ${i}` });
      }
      // Read from outside the recorder, without flushing: the batch trigger wrote them all.
      await eventually(async () => (await readFlightEvents(dir)).rows.length === 120);
      assert.equal(recorder.stats().recorded, 120);
    } finally {
      await recorder.close();
    }
  });
});

Deno.test("Batching: a lone event is written after the flush interval", async () => {
  await withStateDir(async (dir) => {
    const recorder = await open(dir, { batchSize: 1_000, flushIntervalMs: 30 });
    try {
      recorder.record({ kind: "mcp.session_open", source: "server", message: "hello" });
      await eventually(async () => (await readFlightEvents(dir)).rows.length === 1);
    } finally {
      await recorder.close();
    }
  });
});

Deno.test("close() writes pending events; a later recorder merges the ended segment", async () => {
  await withStateDir(async (dir) => {
    const first = await open(dir, { flushIntervalMs: 60_000 });
    for (let i = 0; i < 10; i++) {
      first.record({ kind: "mcp.logging", source: "server", message: `m${i}` });
    }
    await first.close();
    assert.equal(first.stats().recorded, 10);
    const afterClose = await readFlightEvents(dir);
    assert.equal(afterClose.rows.length, 10);
    assert.equal(afterClose.files, 1);

    const second = await open(dir);
    try {
      second.record({ kind: "mcp.session_open", source: "server", message: "second" });
      await eventually(() => Promise.resolve(second.stats().mergedSegments === 1));
      const merged = await readFlightEvents(dir);
      assert.equal(merged.files, 2); // the archive and the live segment
      assert.deepEqual(merged.rows.map((r) => r.message), [
        ...Array.from({ length: 10 }, (_, i) => `m${i}`),
        "second",
      ]);
      // Merged events keep their identity.
      assert.deepEqual(
        merged.rows.slice(0, 10).map((r) => r.eventId),
        afterClose.rows.map((r) => r.eventId),
      );
    } finally {
      await second.close();
    }
  });
});

Deno.test("openFlightRecorder() fails clearly when the state dir cannot be used", async () => {
  await withStateDir(async (dir) => {
    const file = join(dir, "not-a-dir");
    await Deno.writeTextFile(file, "x");
    await assert.rejects(open(file), (error: unknown) => {
      assert.ok(error instanceof CobreError);
      assert.equal(error.record.kind, "InternalError");
      assert.match(error.record.message, /flight recorder cannot/);
      assert.equal(error.record.context.state_dir, file);
      return true;
    });
  });
});

Deno.test("record() refuses after close()", async () => {
  await withStateDir(async (dir) => {
    const recorder = await open(dir);
    await recorder.close();
    assert.throws(() =>
      recorder.record({ kind: "mcp.logging", source: "server", message: "late" })
    );
  });
});

Deno.test("A flood beyond maxQueued is dropped and counted, not buffered without bound", async () => {
  await withStateDir(async (dir) => {
    const warnings: number[] = [];
    const recorder = await openFlightRecorder({
      stateDir: dir,
      serverId: "srv-test",
      revokeFfi: false,
      maxQueued: 10,
      onWriteError: (_message, dropped) => warnings.push(dropped),
    });
    try {
      // One synchronous burst: nothing reaches the Worker until the tick ends.
      for (let i = 0; i < 25; i++) {
        recorder.record({ kind: "mcp.logging", source: "server", message: `m${i}` });
      }
      assert.deepEqual(recorder.stats(), { recorded: 10, dropped: 15, mergedSegments: 0 });
      assert.deepEqual(warnings, [1]);
      assert.deepEqual(
        (await recorder.query()).map((r) => r.message),
        Array.from({ length: 10 }, (_, i) => `m${i}`),
      );
      // Once the queue drained, recording works again.
      recorder.record({ kind: "mcp.logging", source: "server", message: "after" });
      assert.equal((await recorder.query({ newest: true, limit: 1 }))[0]!.message, "after");
    } finally {
      await recorder.close();
    }
  });
});
