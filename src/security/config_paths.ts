/**
 * Canonical forms of the operator's configuration paths (allowed dirs, state dir). Deno checks
 * permissions against the path string it is handed, without resolving links, and the sandbox
 * opens canonical paths: so permissions must be granted, and checked, on canonical paths.
 *
 * These errors are for the operator starting the server, so they may name the paths.
 *
 * @module
 */
import { posix } from "node:path";
import { CobreError, errorRecord } from "../common/mod.ts";
import { isWithin, joinCanonical } from "./paths.ts";

/** Canonical path of an existing directory; relative input is taken against the cwd. */
export async function canonicalDir(dir: string, role: string): Promise<string> {
  const absolute = posix.resolve(Deno.cwd(), dir);
  // Two reads, two grants: a link is resolved with the link's grant, its target needs its own.
  let checking = absolute;
  try {
    const canonical = await Deno.realPath(absolute);
    checking = canonical;
    if ((await Deno.stat(canonical)).isDirectory) return canonical;
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) {
      throw missingFlag(`--allow-read=${checking}`, role, dir);
    }
  }
  throw new CobreError(errorRecord(
    "MissingFile",
    `The ${role} '${dir}' does not exist or is not a directory`,
    { dir },
    "Create the directory or fix the command line.",
  ));
}

/** Canonical path of a directory that may not exist yet: canonical ancestor + missing names. */
export async function canonicalMaybeMissing(dir: string): Promise<string> {
  let current = posix.resolve(Deno.cwd(), dir);
  const missing: string[] = [];
  for (;;) {
    try {
      return joinCanonical(await Deno.realPath(current), missing);
    } catch (error) {
      const parent = posix.dirname(current);
      if (!(error instanceof Deno.errors.NotFound) || parent === current) {
        return joinCanonical(current, missing);
      }
      missing.unshift(posix.basename(current));
      current = parent;
    }
  }
}

/** Refusal to start that names the exact Deno flag that is missing. */
export function missingFlag(flag: string, role: string, dir: string): CobreError {
  return new CobreError(errorRecord(
    "PermissionDenied",
    `The ${role} '${dir}' needs ${flag}; refusing to start`,
    { flag, dir },
    'Start the server with the command printed by "main.ts launch-line".',
  ));
}

/**
 * The state directory (jobs, recorder, refs) must be disjoint from every allowed dir, or an
 * agent could read or overwrite the server's own records.
 */
export function assertStateDirSeparate(allowedRoots: readonly string[], stateDir: string): void {
  for (const root of allowedRoots) {
    if (isWithin(root, stateDir) || isWithin(stateDir, root)) {
      throw new CobreError(errorRecord(
        "InvalidArgument",
        `The state directory '${stateDir}' overlaps the allowed directory '${root}'`,
        { stateDir, allowedDir: root },
        "Choose a state directory outside every allowed directory (--state-dir).",
      ));
    }
  }
}
