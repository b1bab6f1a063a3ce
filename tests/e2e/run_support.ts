/**
 * Helpers of the `cobre/run` end-to-end tests: the in-process tests' workspace (`runWorkspace`),
 * read-write servers started from the real launch line, progress waits and a read-only
 * view of the server's job database.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { launchLine } from "../../src/security/mod.ts";
import {
  progressReaching,
  type RunWorkspace,
  runWorkspace,
  setIterationLimit,
} from "../server/run_support.ts";
import { type SpawnedServer, spawnServer } from "./support.ts";

export { progressReaching, runWorkspace, setIterationLimit };

/** Starts a read-write server on the workspace through its least-privilege launch line. */
export async function spawnWriteServer(
  ws: Pick<RunWorkspace, "allowed" | "stateDir">,
): Promise<SpawnedServer> {
  const line = await launchLine({
    allowedDirs: [ws.allowed],
    stateDir: ws.stateDir,
    write: true,
    extraServerArgs: ["--log-level", "warning"],
  });
  return await spawnServer(line);
}

/** One `ai_jobs` row, as the tests read it. */
export interface JobRow {
  job_id: string;
  workflow_run_id: string;
  status: string;
  tool_name: string;
  mcp_progress_token: string | null;
  progress: number | null;
  total: number | null;
  last_update: string | null;
  error: string | null;
}

/** Every `cobre/run` job in the state dir's job database (read-only; WAL allows it live). */
export function runJobs(stateDir: string): JobRow[] {
  const db = new DatabaseSync(`${stateDir}/jobs.sqlite`, { readOnly: true });
  try {
    return db.prepare(
      "SELECT * FROM ai_jobs WHERE tool_name = 'cobre/run' ORDER BY created_at",
    ).all() as unknown as JobRow[];
  } finally {
    db.close();
  }
}
