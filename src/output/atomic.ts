/**
 * Atomic publication: an output is assembled in a hidden staging directory next to its target
 * (same parent, so same filesystem and same sandbox root) and renamed into place in one step.
 * A run killed at any point leaves either no output, or the previous complete output, plus a
 * hidden `.<name>.staging-*` directory that never carries the target's name.
 *
 * Those leftovers are never published, but they can be large. A staging directory may carry its
 * owner (`_STAGING.json`: job, server, start time) so a later run can tell a dead job's leftover
 * from a live one; the marker is removed before publishing, so no output ever contains it.
 *
 * @module
 */
import { posix } from "node:path";
import { type FileAccess, isObject, type ReadAccess, type WriteAccess } from "../common/mod.ts";

/** Name of the owner marker inside a staging directory (never in a published output). */
export const STAGING_MARKER = "_STAGING.json";

/** Who is filling a staging directory: the job, the server that runs it, and since when. */
export interface StagingOwner {
  readonly job_id: string;
  readonly server_id: string;
  /** ISO 8601 UTC. */
  readonly started_at: string;
}

/** A hidden directory where an output is assembled before it is published. */
export interface StagingArea {
  readonly targetDir: string;
  readonly stagingDir: string;
  /** Set when the staging directory carries an owner marker. */
  readonly owner?: StagingOwner;
}

/** The two kinds of hidden sibling a publication can leave behind. */
export type LeftoverKind = "staging" | "previous";

function randomSuffix(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 12);
}

/** A hidden sibling path of `target`: `<parent>/.<name>.<label>-<random>`. */
export function hiddenSibling(target: string, label: string): string {
  const { dir, base } = posix.parse(target);
  return posix.join(dir, `.${base}.${label}-${randomSuffix()}`);
}

/**
 * Which leftover `name` is among the hidden siblings of `targetDir` (`.<base>.staging-*` or
 * `.<base>.previous-*`), or null for any other name.
 */
export function leftoverKind(targetDir: string, name: string): LeftoverKind | null {
  const base = posix.basename(targetDir);
  for (const kind of ["staging", "previous"] as const) {
    const prefix = `.${base}.${kind}-`;
    if (name.startsWith(prefix) && name.length > prefix.length) return kind;
  }
  return null;
}

/**
 * Creates the staging directory for `targetDir` (and the target's parent if missing). With an
 * `owner`, its marker is the first file written, so a staging directory holding anything else
 * always says whose it is.
 */
export async function createStaging(
  targetDir: string,
  access: WriteAccess,
  owner?: StagingOwner,
): Promise<StagingArea> {
  const stagingDir = hiddenSibling(targetDir, "staging");
  await access.makeDir(stagingDir);
  if (owner === undefined) return { targetDir, stagingDir };
  try {
    const marker: StagingOwner = {
      job_id: owner.job_id,
      server_id: owner.server_id,
      started_at: owner.started_at,
    };
    await access.writeNewFile(posix.join(stagingDir, STAGING_MARKER), jsonBytes(marker));
  } catch (error) {
    await discardStaging({ targetDir, stagingDir }, access);
    throw error;
  }
  return { targetDir, stagingDir, owner };
}

/**
 * The owner named by a staging directory's marker; null when it has none, or one that cannot be
 * read or is not a well-formed marker (such a directory cannot be attributed to anyone).
 */
export async function readStagingOwner(
  stagingDir: string,
  access: ReadAccess,
): Promise<StagingOwner | null> {
  let value: unknown;
  try {
    const path = posix.join(stagingDir, STAGING_MARKER);
    const info = await access.stat(path);
    // A marker is a few hundred bytes; anything else is not one of ours.
    if (info === null || !info.isFile || info.size > 4096) return null;
    value = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(await access.readFile(path)),
    );
  } catch {
    return null;
  }
  if (!isObject(value)) return null;
  const { job_id, server_id, started_at } = value;
  if (typeof job_id !== "string" || typeof server_id !== "string") return null;
  if (typeof started_at !== "string" || job_id === "" || server_id === "") return null;
  return { job_id, server_id, started_at };
}

/**
 * Renames the staging directory onto the target. An existing target is first moved aside and
 * removed after the swap, so the target path never holds a half-written mix of old and new.
 */
export async function publishStaging(staging: StagingArea, access: FileAccess): Promise<void> {
  // The marker says whose unfinished work this is; a published output is nobody's work in progress.
  if (staging.owner !== undefined) {
    await access.remove(posix.join(staging.stagingDir, STAGING_MARKER));
  }
  const existing = await access.stat(staging.targetDir);
  if (existing === null) {
    await access.rename(staging.stagingDir, staging.targetDir);
    return;
  }
  const previous = hiddenSibling(staging.targetDir, "previous");
  await access.rename(staging.targetDir, previous);
  await access.rename(staging.stagingDir, staging.targetDir);
  await access.remove(previous);
}

/** Removes a staging directory after a failure; errors while cleaning up are not fatal. */
export async function discardStaging(staging: StagingArea, access: WriteAccess): Promise<void> {
  try {
    await access.remove(staging.stagingDir);
  } catch {
    // Best effort: a leftover hidden staging directory never looks like a complete output.
  }
}

/** Writes a single file atomically: a hidden temporary sibling, then a rename onto `path`. */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array,
  access: WriteAccess,
): Promise<void> {
  const temporary = hiddenSibling(path, "tmp");
  await access.writeNewFile(temporary, data);
  try {
    await access.rename(temporary, path);
  } catch (error) {
    try {
      await access.remove(temporary);
    } catch {
      // The rename error is the one worth reporting.
    }
    throw error;
  }
}

/** Encodes a JSON document the way Cobre writes manifests (pretty, two-space indent). */
export function jsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value, null, 2) + "\n");
}
