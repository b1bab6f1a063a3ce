import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { CobreError } from "../../src/common/mod.ts";
import { isId128, openJobStore } from "../../src/jobs/mod.ts";
import type { FlightEvent } from "../../src/recorder/mod.ts";
import { killHard, spawnReady } from "./child_process.ts";

async function withStateDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "jobs_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("openJobStore() creates ai_jobs in WAL mode with the progress-token index", async () => {
  await withStateDir((dir) => {
    const store = openJobStore({ stateDir: dir });
    store.close();
    const db = new DatabaseSync(join(dir, "jobs.sqlite"));
    const mode = db.prepare("PRAGMA journal_mode").get() as { journal_mode: string };
    assert.equal(mode.journal_mode, "wal");
    const index = db.prepare(
      "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'idx_ai_jobs_progress_token'",
    ).get() as { sql: string };
    assert.match(index.sql, /ON ai_jobs\s*\(mcp_progress_token\)/);
    const columns = (db.prepare("PRAGMA table_info(ai_jobs)").all() as { name: string }[]).map((
      c,
    ) => c.name);
    for (
      const name of [
        "job_id",
        "workflow_run_id",
        "trace_id",
        "status",
        "tool_name",
        "case_dir",
        "output_dir",
        "mcp_server_id",
        "mcp_call_id",
        "mcp_progress_token",
        "progress",
        "total",
        "last_update",
        "error",
        "created_at",
        "updated_at",
      ]
    ) assert.ok(columns.includes(name), name);
    db.close();
  });
});

Deno.test("create() mints its own ids and stores every field", async () => {
  await withStateDir((dir) => {
    let clock = Date.UTC(2026, 0, 2, 3, 4, 5);
    const store = openJobStore({ stateDir: dir, now: () => clock });
    const job = store.create({
      toolName: "cobre/run",
      mcpServerId: "srv-1",
      mcpSessionId: "sess-1",
      mcpCallId: 7,
      mcpProgressToken: "run-001",
      caseDir: "/data/cases/1dtoy",
    });
    assert.ok(isId128(job.jobId) && isId128(job.traceId) && isId128(job.workflowRunId));
    assert.notEqual(job.jobId, job.traceId);
    assert.equal(job.status, "running");
    assert.equal(job.mcpCallId, "7");
    assert.equal(job.createdAt, "2026-01-02T03:04:05.000Z");
    clock += 1500;
    store.setDirectories(job.jobId, { outputDir: "/data/cases/1dtoy/output" });
    const again = store.get(job.jobId)!;
    assert.equal(again.caseDir, "/data/cases/1dtoy");
    assert.equal(again.outputDir, "/data/cases/1dtoy/output");
    assert.equal(again.updatedAt, "2026-01-02T03:04:06.500Z");
    assert.equal(store.get("no-such-job"), null);
    store.close();
  });
});

Deno.test("reportProgress() updates the job that owns the token", async () => {
  await withStateDir((dir) => {
    const store = openJobStore({ stateDir: dir });
    const job = store.create({
      toolName: "cobre/run",
      mcpServerId: "srv",
      mcpProgressToken: "run-001",
    });
    const report = store.reportProgress("run-001", {
      progress: 3,
      total: 100,
      lastUpdate: { iteration: 3, lower_bound: 1.5 },
    });
    assert.ok(report.ok);
    assert.equal(report.job.jobId, job.jobId);
    assert.equal(report.job.progress, 3);
    assert.equal(report.job.total, 100);
    assert.deepEqual(report.job.lastUpdate, { iteration: 3, lower_bound: 1.5 });
    store.close();
  });
});

Deno.test("reportProgress() refuses unknown, look-alike and finished tokens as progress_token_mismatch", async () => {
  await withStateDir((dir) => {
    const store = openJobStore({ stateDir: dir });
    const job = store.create({ toolName: "cobre/run", mcpServerId: "srv", mcpProgressToken: 1 });
    for (const token of ["1", 2, "run-001", ""]) {
      const report = store.reportProgress(token, { progress: 1 });
      assert.deepEqual(report, { ok: false, reason: "progress_token_mismatch", token });
    }
    assert.ok(store.reportProgress(1, { progress: 1 }).ok);
    assert.equal(store.setStatus(job.jobId, "completed"), true);
    const late = store.reportProgress(1, { progress: 2 });
    assert.equal(late.ok, false);
    assert.equal(store.get(job.jobId)!.progress, 1);
    store.close();
  });
});

Deno.test("findActiveByProgressToken() keeps servers and sessions apart", async () => {
  await withStateDir((dir) => {
    const store = openJobStore({ stateDir: dir });
    const a = store.create({
      toolName: "t",
      mcpServerId: "A",
      mcpSessionId: "s1",
      mcpProgressToken: "p",
    });
    const b = store.create({
      toolName: "t",
      mcpServerId: "B",
      mcpSessionId: "s2",
      mcpProgressToken: "p",
    });
    assert.equal(store.findActiveByProgressToken("p", { mcpServerId: "A" })?.jobId, a.jobId);
    assert.equal(store.findActiveByProgressToken("p", { mcpServerId: "B" })?.jobId, b.jobId);
    assert.equal(store.findActiveByProgressToken("p", { mcpSessionId: "s1" })?.jobId, a.jobId);
    assert.equal(
      store.findActiveByProgressToken("p", { mcpServerId: "A", mcpSessionId: "s2" }),
      null,
    );
    assert.equal(store.findActiveByProgressToken("p", { mcpSessionId: null }), null);
    store.close();
  });
});

Deno.test("setStatus() never moves a job out of a terminal status", async () => {
  await withStateDir((dir) => {
    const store = openJobStore({ stateDir: dir });
    const job = store.create({ toolName: "cobre/run", mcpServerId: "srv" });
    assert.equal(store.setStatus(job.jobId, "cancelled"), true);
    for (const status of ["running", "completed", "failed", "interrupted"] as const) {
      assert.equal(store.setStatus(job.jobId, status), false, status);
    }
    assert.equal(store.get(job.jobId)!.status, "cancelled");
    assert.equal(store.setStatus("unknown", "completed"), false);
    store.close();
  });
});

Deno.test("close() interrupts the store's own active jobs", async () => {
  await withStateDir((dir) => {
    const first = openJobStore({ stateDir: dir });
    const running = first.create({ toolName: "cobre/run", mcpServerId: "srv" });
    const done = first.create({ toolName: "cobre/run", mcpServerId: "srv" });
    first.setStatus(done.jobId, "completed");
    first.close();
    const second = openJobStore({ stateDir: dir });
    const job = second.get(running.jobId)!;
    assert.equal(job.status, "interrupted");
    assert.equal(job.error?.kind, "InternalError");
    assert.match(job.error?.message ?? "", /shut down/);
    assert.equal(second.get(done.jobId)!.status, "completed");
    second.close();
  });
});

Deno.test("Crash: a job left running by a SIGKILLed process is interrupted on open", async () => {
  await withStateDir(async (dir) => {
    const { child, firstLine: jobId } = await spawnReady(
      new URL("./hold_job_child.ts", import.meta.url),
      [dir],
    );
    // While the child lives, its job stays running for everyone else.
    const observer = openJobStore({ stateDir: dir });
    assert.deepEqual(observer.interruptedAtOpen, []);
    assert.equal(observer.get(jobId)!.status, "running");
    assert.deepEqual(observer.sweepInterrupted(), []);
    observer.close();
    const another = openJobStore({ stateDir: dir });
    assert.equal(another.get(jobId)!.status, "running");
    another.close();

    await killHard(child);
    const events: FlightEvent[] = [];
    const store = openJobStore({ stateDir: dir, onEvent: (event) => events.push(event) });
    assert.deepEqual(store.interruptedAtOpen.map((j) => j.jobId), [jobId]);
    assert.deepEqual(events.map((e) => [e.kind, e.jobId, e.toolName]), [
      ["job.interrupted", jobId, "cobre/run"],
    ]);
    const job = store.get(jobId)!;
    assert.equal(job.status, "interrupted");
    assert.match(job.error?.message ?? "", /exited before it finished/);
    assert.equal(store.reportProgress("run-001", { progress: 5 }).ok, false);
    store.close();
  });
});

Deno.test("openJobStore() fails clearly when the state dir cannot be used", async () => {
  await withStateDir(async (dir) => {
    const notADir = join(dir, "file");
    await Deno.writeTextFile(notADir, "x");
    for (const stateDir of [notADir, join(notADir, "below")]) {
      assert.throws(() => openJobStore({ stateDir }), (error: unknown) => {
        assert.ok(error instanceof CobreError);
        assert.equal(error.record.kind, "InternalError");
        assert.match(error.record.message, /job store cannot use state directory/);
        assert.equal(error.record.context.state_dir, stateDir);
        return true;
      });
    }
  });
});

Deno.test("reportProgress() records a refused progress as mcp.progress_token_mismatch, token as a claim", async () => {
  await withStateDir((dir) => {
    const events: FlightEvent[] = [];
    const store = openJobStore({ stateDir: dir, onEvent: (event) => events.push(event) });
    store.create({ toolName: "cobre/run", mcpServerId: "srv", mcpProgressToken: "real" });
    assert.equal(store.reportProgress("real", { progress: 1 }).ok, true);
    assert.equal(events.length, 0);
    assert.equal(
      store.reportProgress("spoofed", { progress: 9 }, { mcpServerId: "srv" }).ok,
      false,
    );
    assert.equal(events.length, 1);
    const [event] = events;
    assert.equal(event!.kind, "mcp.progress_token_mismatch");
    assert.equal(event!.jobId, undefined);
    assert.deepEqual(event!.clientClaims, { progressToken: "spoofed", mcp_server_id: "srv" });
    store.close();
  });
});
