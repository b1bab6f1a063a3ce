/**
 * What killed runs leave beside `<case_dir>/output` does not stay forever: a run marks its hidden
 * staging directory with its job, and the next run removes the staging directories of jobs this
 * server's job store knows have ended, and a superseded `.output.previous-*` beside an existing
 * output. Anything it cannot attribute to an ended job of its own (no marker, a garbled one, an
 * unknown job, another server, a live process) stays, and symbolic links are never followed.
 */
import assert from "node:assert/strict";
import { posix } from "node:path";
// @ts-types="@modelcontextprotocol/sdk/types"
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { randomId128 } from "../../src/jobs/mod.ts";
import { STAGING_MARKER, type StagingOwner } from "../../src/output/mod.ts";
import type { ToolSandbox } from "../../src/server/mod.ts";
import { killHard, spawnReady } from "../jobs/child_process.ts";
import { spawnWriteServer } from "../e2e/run_support.ts";
import { listTree } from "../output/helpers.ts";
import {
  exists,
  listNames,
  openRunSession,
  progressReaching,
  type RunSession,
  runWorkspace,
  setIterationLimit,
  startRunTask,
} from "./run_support.ts";

const SERVER_ID = "run-test"; // the server id `openRunSession` gives its server
const HOLD_JOB_CHILD = new URL("../jobs/hold_job_child.ts", import.meta.url);

/** Plants a hidden staging directory with some partial output and, optionally, a marker. */
async function plantStaging(
  caseDir: string,
  name: string,
  marker: Partial<StagingOwner> | string | null,
): Promise<string> {
  const dir = posix.join(caseDir, name);
  await Deno.mkdir(posix.join(dir, "simulation/costs/scenario_id=0000"), { recursive: true });
  await Deno.writeTextFile(posix.join(dir, "simulation/costs/scenario_id=0000/data.parquet"), "x");
  if (marker !== null) {
    const text = typeof marker === "string"
      ? marker
      : JSON.stringify({ started_at: "2025-01-01T00:00:00.000Z", ...marker });
    await Deno.writeTextFile(posix.join(dir, STAGING_MARKER), text);
  }
  return dir;
}

async function hiddenNames(caseDir: string): Promise<string[]> {
  return (await listNames(caseDir)).filter((name) => name.startsWith("."));
}

async function runOnce(session: RunSession, caseDir: string): Promise<void> {
  const result = await session.client.callTool(
    { name: "cobre/run", arguments: { case_dir: caseDir } },
    undefined,
    { timeout: 120_000 },
  );
  assert.equal(result.isError, false, JSON.stringify(result.content));
}

/** A job of this store in `status` (as the run's own job observer would have left it). */
function endedJob(session: RunSession, status: "failed" | "cancelled" | "completed"): string {
  const jobs = session.jobs!;
  const job = jobs.create({ toolName: "cobre/run", mcpServerId: SERVER_ID });
  assert.equal(jobs.setStatus(job.jobId, status), true);
  return job.jobId;
}

Deno.test("JobStore.activity() says ended only for finished jobs whose process cannot write any more", async () => {
  await using ws = await runWorkspace(["thermal_merit_order"]);
  const session = await openRunSession(ws, { jobs: true });
  const live = await spawnReady(HOLD_JOB_CHILD, [ws.stateDir]);
  const killed = await spawnReady(HOLD_JOB_CHILD, [ws.stateDir]);
  try {
    const jobs = session.jobs!;
    const running = jobs.create({ toolName: "cobre/run", mcpServerId: SERVER_ID }).jobId;
    const failed = endedJob(session, "failed");
    // A task cancelled while its process still runs the tool: the row is terminal, the work is not.
    assert.equal(jobs.setStatus(live.firstLine, "cancelled"), true);
    await killHard(killed.child);
    assert.equal(jobs.get(killed.firstLine)?.status, "running", "nobody swept it yet");

    assert.equal(jobs.activity(randomId128()), "unknown");
    assert.equal(jobs.activity(running), "active");
    assert.equal(jobs.activity(failed), "ended");
    assert.equal(jobs.activity(live.firstLine), "active");
    assert.equal(jobs.activity(killed.firstLine), "ended");
    assert.equal(jobs.get(killed.firstLine)?.status, "interrupted", "the dead owner's job");
  } finally {
    await killHard(live.child);
    await session.close();
  }
});

Deno.test("cobre/run removes the staging directories of ended jobs and leaves every other one", async () => {
  await using ws = await runWorkspace(["thermal_merit_order"]);
  const caseDir = ws.caseDir("thermal_merit_order");
  const session = await openRunSession(ws, { jobs: true });
  // A server process killed mid-run: its job is still `running` in the store until swept.
  const killed = await spawnReady(HOLD_JOB_CHILD, [ws.stateDir]);
  await killHard(killed.child);
  const live = await spawnReady(HOLD_JOB_CHILD, [ws.stateDir]);
  try {
    const jobs = session.jobs!;
    const removable: Record<string, string> = {
      ".output.staging-killed": killed.firstLine,
      ".output.staging-failed": endedJob(session, "failed"),
      ".output.staging-cancelled": endedJob(session, "cancelled"),
      ".output.staging-completed": endedJob(session, "completed"),
    };
    for (const [name, jobId] of Object.entries(removable)) {
      await plantStaging(caseDir, name, { job_id: jobId, server_id: SERVER_ID });
    }
    const running = jobs.create({ toolName: "cobre/run", mcpServerId: SERVER_ID }).jobId;
    const failed = removable[".output.staging-failed"]!;
    await plantStaging(caseDir, ".output.staging-running", {
      job_id: running,
      server_id: SERVER_ID,
    });
    await plantStaging(caseDir, ".output.staging-live-process", {
      job_id: live.firstLine,
      server_id: SERVER_ID,
    });
    await plantStaging(caseDir, ".output.staging-no-marker", null);
    await plantStaging(caseDir, ".output.staging-garbled", "{ not json");
    await plantStaging(caseDir, ".output.staging-unknown-job", {
      job_id: randomId128(),
      server_id: SERVER_ID,
    });
    await plantStaging(caseDir, ".output.staging-other-server", {
      job_id: failed,
      server_id: "another-server",
    });
    // Not ours by name: another target's leftovers and a look-alike.
    await plantStaging(caseDir, ".exports.staging-abc", { job_id: failed, server_id: SERVER_ID });
    await plantStaging(caseDir, "output.staging-abc", { job_id: failed, server_id: SERVER_ID });

    // Links named like leftovers, to a directory outside the sandbox and to one inside it, each
    // holding a marker of an ended job: neither target may lose a single file.
    const outside = await plantStaging(ws.root, "outside", {
      job_id: failed,
      server_id: SERVER_ID,
    });
    const inside = await plantStaging(ws.allowed, "inside", {
      job_id: failed,
      server_id: SERVER_ID,
    });
    await Deno.symlink(outside, posix.join(caseDir, ".output.staging-link-out"));
    await Deno.symlink(inside, posix.join(caseDir, ".output.staging-link-in"));
    await Deno.symlink(outside, posix.join(caseDir, ".output.previous-link-out"));
    const outsideFiles = await listTree(outside);
    const insideFiles = await listTree(inside);

    const staying = [
      ".exports.staging-abc",
      ".output.previous-link-out",
      ".output.staging-garbled",
      ".output.staging-link-in",
      ".output.staging-link-out",
      ".output.staging-live-process",
      ".output.staging-no-marker",
      ".output.staging-other-server",
      ".output.staging-running",
      ".output.staging-unknown-job",
    ];
    assert.deepEqual(
      await hiddenNames(caseDir),
      [...staying, ...Object.keys(removable)].sort(),
    );

    await runOnce(session, caseDir);

    assert.deepEqual(await hiddenNames(caseDir), staying);
    assert.equal(await exists(posix.join(caseDir, "output.staging-abc")), true);
    assert.deepEqual(await listTree(outside), outsideFiles);
    assert.deepEqual(await listTree(inside), insideFiles);
    for (const [name, jobId] of Object.entries(removable)) {
      assert.ok(
        session.stderr.some((line) => line.includes(name) && line.includes(jobId)),
        `a notice names ${name} and job ${jobId}`,
      );
    }
    assert.equal(jobs.get(killed.firstLine)?.status, "interrupted");
    assert.equal(jobs.get(running)?.status, "running", "the sweep changes no live job");
    // The published output carries no marker.
    const published = await listTree(posix.join(caseDir, "output"));
    assert.ok(published.includes("training/_SUCCESS"), published.join(", "));
    assert.ok(!published.some((path) => path.endsWith(STAGING_MARKER)), published.join(", "));
  } finally {
    await killHard(live.child);
    await session.close();
  }
});

Deno.test("cobre/run removes a .output.previous-* only when output itself exists", async () => {
  await using ws = await runWorkspace(["thermal_merit_order"]);
  const caseDir = ws.caseDir("thermal_merit_order");
  const session = await openRunSession(ws, { jobs: true });
  try {
    await plantStaging(caseDir, ".output.previous-0a1b2c3d4e5f", null);
    // No output yet: the copy may be the only output there is (a swap that stopped half-way).
    await runOnce(session, caseDir);
    assert.deepEqual(await hiddenNames(caseDir), [".output.previous-0a1b2c3d4e5f"]);
    // Now output exists, so the copy is the superseded one.
    await runOnce(session, caseDir);
    assert.deepEqual(await hiddenNames(caseDir), []);
    assert.ok(session.stderr.some((line) => line.includes(".output.previous-0a1b2c3d4e5f")));
  } finally {
    await session.close();
  }
});

Deno.test("cobre/run goes on when a leftover cannot be removed, and says so", async () => {
  await using ws = await runWorkspace(["thermal_merit_order"]);
  const caseDir = ws.caseDir("thermal_merit_order");
  const sandbox = ws.sandbox;
  // The real sandbox, except that removing this one leftover fails.
  const refusingRemove: ToolSandbox = {
    resolve: (path, expect) => sandbox.resolve(path, expect),
    locate: (path) => sandbox.locate(path),
    resolveForWrite: (path) => sandbox.resolveForWrite(path),
    access: {
      ...sandbox.access,
      remove: (path) =>
        path.endsWith("/.output.staging-failed")
          ? Promise.reject(new Deno.errors.PermissionDenied("refused by the test"))
          : sandbox.access.remove(path),
    },
  };
  const session = await openRunSession(ws, { jobs: true, sandbox: refusingRemove });
  try {
    const failed = endedJob(session, "failed");
    await plantStaging(caseDir, ".output.staging-failed", { job_id: failed, server_id: SERVER_ID });
    await runOnce(session, caseDir);
    assert.deepEqual(await hiddenNames(caseDir), [".output.staging-failed"]);
    assert.ok(
      session.stderr.some((line) => line.includes("could not remove") && line.includes(failed)),
      session.stderr.join("\n"),
    );
  } finally {
    await session.close();
  }
});

/** The one hidden staging directory of a run in progress, and its marker. */
async function liveMarker(caseDir: string): Promise<Record<string, unknown>> {
  const staging = (await hiddenNames(caseDir)).filter((n) => n.startsWith(".output.staging-"));
  assert.equal(staging.length, 1, staging.join(", "));
  const text = await Deno.readTextFile(posix.join(caseDir, staging[0]!, STAGING_MARKER));
  return JSON.parse(text);
}

Deno.test("a running cobre/run marks its staging directory with its job, and a task with its task id", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  const caseDir = ws.caseDir("stochastic_par");
  await setIterationLimit(caseDir, 1_000_000);
  const session = await openRunSession(ws, { jobs: true });
  try {
    // A plain call: the marker names its ai_jobs row.
    const watch = progressReaching(2);
    const abort = new AbortController();
    const call = session.client.callTool(
      { name: "cobre/run", arguments: { case_dir: caseDir } },
      undefined,
      { onprogress: watch.onprogress, signal: abort.signal, timeout: 120_000 },
    ).catch((error: unknown) => error);
    await watch.until(call);
    const [job] = session.jobs!.list({ toolName: "cobre/run" });
    const marker = await liveMarker(caseDir);
    assert.equal(marker.job_id, job!.jobId);
    assert.equal(marker.server_id, SERVER_ID);
    assert.ok(Date.parse(String(marker.started_at)) <= Date.now());
    abort.abort("enough");
    await call;
    await session.coordinator.idle();

    // A task: the task is the job.
    const task = await startRunTask(session.client, caseDir, 2);
    await task.running;
    const taskId = task.taskId;
    const tasks = session.client.experimental.tasks;
    assert.equal((await liveMarker(caseDir)).job_id, taskId);
    await tasks.cancelTask(taskId);
    await tasks.getTaskResult(taskId, CallToolResultSchema);
    await session.coordinator.idle();

    // Both stopped runs published their partial outputs, without a marker, and left nothing.
    assert.deepEqual(await hiddenNames(caseDir), []);
    const published = await listTree(posix.join(caseDir, "output"));
    assert.ok(published.includes("training/convergence.parquet"), published.join(", "));
    assert.ok(!published.some((path) => path.endsWith(STAGING_MARKER)), published.join(", "));
  } finally {
    await session.close();
  }
});

Deno.test("SIGKILL mid-run leaves a marked staging directory, and the restarted server's next run removes it", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  const caseDir = ws.caseDir("stochastic_par");
  await setIterationLimit(caseDir, 1_000_000);
  const first = await spawnWriteServer(ws);
  const { taskId, running } = await startRunTask(first.client, caseDir, 2, 120_000);
  await running;
  first.child.kill("SIGKILL");
  await first.child.status;
  await first.closeStdin().catch(() => {});
  // What the kill left: a hidden staging directory naming the run's job (its task).
  const [leftover, ...others] = await hiddenNames(caseDir);
  assert.deepEqual(others, []);
  assert.match(leftover ?? "", /^\.output\.staging-/);
  assert.equal((await liveMarker(caseDir)).job_id, taskId);

  await setIterationLimit(caseDir, 2);
  const second = await spawnWriteServer(ws);
  try {
    const result = await second.client.callTool(
      { name: "cobre/run", arguments: { case_dir: caseDir } },
      undefined,
      { timeout: 120_000 },
    );
    assert.equal(result.isError, false, JSON.stringify(result.content));
  } finally {
    await second.closeStdin();
    await second.child.status;
  }
  assert.deepEqual(await hiddenNames(caseDir), [], "the killed run's staging directory is gone");
  assert.equal(await exists(posix.join(caseDir, "output/training/_SUCCESS")), true);
});
