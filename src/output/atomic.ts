/**
 * Atomic publication: an output is assembled in a hidden staging directory next to its target
 * (same parent, so same filesystem and same sandbox root) and renamed into place in one step.
 * A run killed at any point leaves either no output, or the previous complete output, plus a
 * hidden `.<name>.staging-*` directory that never carries the target's name.
 *
 * @module
 */
import { posix } from "node:path";
import type { FileAccess, WriteAccess } from "../common/mod.ts";

/** A hidden directory where an output is assembled before it is published. */
export interface StagingArea {
  readonly targetDir: string;
  readonly stagingDir: string;
}

function randomSuffix(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 12);
}

/** A hidden sibling path of `target`: `<parent>/.<name>.<label>-<random>`. */
export function hiddenSibling(target: string, label: string): string {
  const { dir, base } = posix.parse(target);
  return posix.join(dir, `.${base}.${label}-${randomSuffix()}`);
}

/** Creates the staging directory for `targetDir` (and the target's parent if missing). */
export async function createStaging(targetDir: string, access: WriteAccess): Promise<StagingArea> {
  const stagingDir = hiddenSibling(targetDir, "staging");
  await access.makeDir(stagingDir);
  return { targetDir, stagingDir };
}

/**
 * Renames the staging directory onto the target. An existing target is first moved aside and
 * removed after the swap, so the target path never holds a half-written mix of old and new.
 */
export async function publishStaging(staging: StagingArea, access: FileAccess): Promise<void> {
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
