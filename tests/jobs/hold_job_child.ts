/**
 * Child process for the crash tests: opens a job store, creates one running job, prints its id
 * and waits to be killed. Not a test file (no `_test` suffix).
 */
import { openJobStore } from "../../src/jobs/mod.ts";

const [stateDir] = Deno.args;
if (stateDir === undefined) throw new Error("usage: hold_job_child.ts <stateDir>");
const store = openJobStore({ stateDir });
const job = store.create({
  toolName: "cobre/run",
  mcpServerId: "srv-child",
  mcpProgressToken: "run-001",
});
console.log(job.jobId);
// Keep the process (and its owner lock) alive until the parent kills it.
setInterval(() => {}, 60_000);
