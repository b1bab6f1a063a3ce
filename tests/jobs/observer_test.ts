import assert from "node:assert/strict";
import { errorRecord } from "../../src/common/mod.ts";
import { createJobObserver, type JobObservedRequest, openJobStore } from "../../src/jobs/mod.ts";

function runRequest(requestId: number, progressToken: string | null = null): JobObservedRequest {
  return {
    method: "tools/call",
    requestId,
    sessionId: "s1",
    serverId: "srv",
    progressToken,
    tool: { name: "cobre/run", arguments: { case_dir: "/data/cases/1dtoy" } },
  };
}

Deno.test("createJobObserver() tracks a run from admission to its outcome", async () => {
  const dir = await Deno.makeTempDir();
  const jobs = openJobStore({ stateDir: dir });
  try {
    const observer = createJobObserver(jobs);
    const table: [string, string][] = [
      ["ok", "completed"],
      ["cancelled", "cancelled"],
      ["tool-error", "failed"],
      ["timeout", "failed"],
      ["protocol-error", "failed"],
    ];
    for (const [index, [outcome, status]] of table.entries()) {
      const request = runRequest(index, `tok-${index}`);
      observer.admit(request);
      const jobId = observer.jobIdFor(request)!;
      assert.equal(jobs.get(jobId)!.status, "running");
      assert.equal(jobs.get(jobId)!.caseDir, "/data/cases/1dtoy");
      assert.equal(jobs.findActiveByProgressToken(`tok-${index}`)?.jobId, jobId);
      observer.progress(request, { progress: 2, total: 5, metadata: { gap: 0.1 } }, true);
      const error = outcome === "ok" ? null : errorRecord("SolverFailure", "x", {});
      observer.finished(request, { outcome, error });
      const job = jobs.get(jobId)!;
      assert.equal(job.status, status, outcome);
      assert.equal(job.progress, 2);
      assert.deepEqual(job.lastUpdate, { gap: 0.1 });
      assert.equal(job.error?.kind ?? null, error?.kind ?? null);
      // Still known to observers that run after this one.
      assert.equal(observer.jobIdFor(request), jobId);
    }
  } finally {
    jobs.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createJobObserver() ignores other tools and methods", async () => {
  const dir = await Deno.makeTempDir();
  const jobs = openJobStore({ stateDir: dir });
  try {
    const observer = createJobObserver(jobs);
    observer.admit({ ...runRequest(1), tool: { name: "cobre/validate", arguments: {} } });
    observer.admit({ ...runRequest(2), method: "tools/list", tool: null });
    assert.deepEqual(jobs.list(), []);
  } finally {
    jobs.close();
    await Deno.remove(dir, { recursive: true });
  }
});
