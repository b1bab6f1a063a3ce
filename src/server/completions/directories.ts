/**
 * Directory completions for `case_dir` / `output_dir` values: the children of the typed path's
 * parent that are directories inside the sandbox.
 *
 * - Only what the sandbox resolves is listed: the parent must lie inside an allowed directory,
 *   and each child is resolved again, so a symlink that leads outside is never offered (nor
 *   followed to learn whether it is a directory).
 * - When the parent lies outside (typing `/` or `/da`), the allowed directories that start with
 *   the typed text are offered instead: that is where every valid value begins.
 * - Hidden entries show only when the typed name starts with `.`.
 * - At most `MAX_COMPLETIONS` values; `hasMore` says there are others. At most `MAX_SCANNED`
 *   entries are examined per request, so a huge directory cannot make a completion slow.
 *
 * @module
 */
import { posix } from "node:path";
import type { ToolSandbox } from "../types.ts";

/** Most values in one completion result (the MCP limit). */
export const MAX_COMPLETIONS = 100;
/** Most directory entries examined for one completion. */
export const MAX_SCANNED = 2_000;

/** Values of one completion. */
export type Completion = {
  values: string[];
  /** Exact number of matches, when every candidate was examined. */
  total?: number;
  hasMore: boolean;
};

/** The values completing `prefix` among `candidates` (already sorted), capped. */
export function completeFrom(candidates: readonly string[], prefix: string): Completion {
  const lower = prefix.toLowerCase();
  const matches = candidates.filter((value) => value.toLowerCase().startsWith(lower));
  return {
    values: matches.slice(0, MAX_COMPLETIONS),
    total: matches.length,
    hasMore: matches.length > MAX_COMPLETIONS,
  };
}

/** Canonical path of a directory inside the sandbox, or null for anything else. */
async function directoryInside(sandbox: ToolSandbox, path: string): Promise<string | null> {
  try {
    const canonical = await sandbox.locate(path);
    if (canonical === null) return null;
    return (await sandbox.access.stat(canonical))?.isDirectory === true ? canonical : null;
  } catch {
    return null; // outside the sandbox, malformed, or unreadable: nothing to offer
  }
}

/** A typed value that arrived percent-encoded (`%2Fdata%2Fca`) is decoded once. */
function plainPath(typed: string): string {
  if (typed.includes("/") || !/%2f/i.test(typed)) return typed;
  try {
    return decodeURIComponent(typed);
  } catch {
    return typed;
  }
}

/** Directories inside the sandbox that complete `typed` (see the module doc). */
export async function completeDirectory(sandbox: ToolSandbox, typed: string): Promise<Completion> {
  const value = plainPath(typed);
  const roots = [...(sandbox.roots ?? [])].sort();
  if (!value.startsWith("/")) {
    return value === "" ? completeFrom(roots, "") : { values: [], total: 0, hasMore: false };
  }
  const slash = value.lastIndexOf("/");
  const parentTyped = value.slice(0, slash) || "/";
  const partial = value.slice(slash + 1);
  const parent = await directoryInside(sandbox, parentTyped);
  if (parent === null) {
    return completeFrom(roots.filter((root) => root.startsWith(value)), "");
  }
  let names: string[];
  try {
    names = await sandbox.access.readDir(parent);
  } catch {
    return { values: [], total: 0, hasMore: false };
  }
  const candidates = names.filter((name) =>
    name.startsWith(partial) && (partial.startsWith(".") || !name.startsWith("."))
  );
  const values: string[] = [];
  let examined = 0;
  for (const name of candidates) {
    if (examined === MAX_SCANNED || values.length > MAX_COMPLETIONS) break;
    examined++;
    if (await directoryInside(sandbox, posix.join(parent, name)) !== null) {
      values.push(posix.join(parentTyped, name));
    }
  }
  const complete = examined === candidates.length && values.length <= MAX_COMPLETIONS;
  return {
    values: values.slice(0, MAX_COMPLETIONS),
    ...(complete ? { total: values.length } : {}),
    hasMore: !complete,
  };
}
