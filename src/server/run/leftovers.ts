/**
 * Before a run opens its staging directory, it removes what earlier runs of this server left
 * beside the same output and will never finish (`src/output/atomic.ts`):
 *
 * - a `.output.staging-*` directory whose marker names a job of this server that this server's
 *   job store knows has ended (interrupted by a kill, failed, cancelled, completed). One with no
 *   marker, an unreadable one, another server's, or a job the store does not know is left alone:
 *   it may be a live run of another process;
 * - a `.output.previous-*` directory, only when `output` itself exists: it is then the superseded
 *   copy of a swap that finished except for its last removal.
 *
 * Nothing is followed: an entry that is a symbolic link (or not a directory) is left alone, and
 * every removal goes through the sandboxed file access, which refuses links. The caller holds
 * the process's run slot, so none of this server's own runs is writing meanwhile. Each removal is
 * a notice; a failure to remove is a warning and the run goes on.
 *
 * @module
 */
import { posix } from "node:path";
import { isCobreError } from "../../common/mod.ts";
import { leftoverKind, readStagingOwner } from "../../output/mod.ts";
import type { ToolContext, ToolSandbox } from "../types.ts";

/** What the sweep needs of the call's context. */
export type LeftoverSweepContext = Pick<
  ToolContext,
  "sandbox" | "logger" | "serverId" | "jobActivity"
>;

/** A directory the sweep removed: its name beside the output and the job it belonged to. */
export interface RemovedLeftover {
  name: string;
  job_id: string | null;
}

/** A real directory at exactly `path` (canonical), reached with no symbolic link. */
async function isPlainDirectory(sandbox: ToolSandbox, path: string): Promise<boolean> {
  try {
    if (await sandbox.locate(path) !== path) return false;
    return (await sandbox.access.stat(path))?.isDirectory === true;
  } catch {
    return false; // outside the sandbox, gone meanwhile, or unreadable: not ours to touch
  }
}

/** The job whose ended run left `path`, or null when it is not provably such a leftover. */
async function endedStagingJob(path: string, ctx: LeftoverSweepContext): Promise<string | null> {
  const owner = await readStagingOwner(path, ctx.sandbox.access);
  if (owner === null || owner.server_id !== ctx.serverId) return null;
  return ctx.jobActivity(owner.job_id) === "ended" ? owner.job_id : null;
}

/**
 * Removes the stale hidden siblings of `outputDir` (canonical) as the module doc says; returns
 * what was removed. Never throws.
 */
export async function sweepRunLeftovers(
  outputDir: string,
  ctx: LeftoverSweepContext,
): Promise<RemovedLeftover[]> {
  const parent = posix.dirname(outputDir);
  let names: string[];
  try {
    names = await ctx.sandbox.access.readDir(parent);
  } catch {
    return []; // no case directory listing, no leftovers to find
  }
  const candidates = names.flatMap((name) => {
    const kind = leftoverKind(outputDir, name);
    return kind === null ? [] : [{ name, kind }];
  });
  if (candidates.length === 0) return [];
  const outputExists = await isPlainDirectory(ctx.sandbox, outputDir);
  const removed: RemovedLeftover[] = [];
  for (const { name, kind } of candidates) {
    const path = posix.join(parent, name);
    if (!await isPlainDirectory(ctx.sandbox, path)) continue;
    const jobId = kind === "staging" ? await endedStagingJob(path, ctx) : null;
    if (kind === "staging" ? jobId === null : !outputExists) continue;
    const what = jobId === null
      ? `the superseded copy "${name}" of a published output`
      : `the staging directory "${name}" of ended job ${jobId}`;
    try {
      await ctx.sandbox.access.remove(path);
      removed.push({ name, job_id: jobId });
      ctx.logger.log("notice", `cobre/run removed ${what}`, { name, job_id: jobId });
    } catch (error) {
      // The record's kind, never its message: a raw error may name paths.
      const reason = isCobreError(error)
        ? error.record.kind
        : error instanceof Error
        ? error.name
        : "unknown";
      ctx.logger.log("warning", `cobre/run could not remove ${what}; it is left in place`, {
        name,
        job_id: jobId,
        reason,
      });
    }
  }
  return removed;
}
