/**
 * Pure path rules of the sandbox: which strings are acceptable at all, and containment of
 * canonical paths by whole segments. No file-system access here, so every rule is testable on
 * strings alone.
 *
 * @module
 */

/** What `Sandbox.resolve` requires to exist at a path. */
export type PathKind = "file" | "dir" | "any";

/** Why a path string is refused before any file-system call, or null when its form is fine. */
export function malformedReason(path: string): string | null {
  if (typeof path !== "string") return "not a string";
  if (path.length === 0) return "empty path";
  if (path.includes("\0")) return "contains a null byte";
  // Deno converts lone surrogates to U+FFFD when it calls the OS, so the name opened would not
  // be the name checked.
  if (!path.isWellFormed()) return "not well-formed Unicode";
  if (!path.startsWith("/")) return "relative path";
  return null;
}

/** True when `path` looks like what realpath returns: absolute, no empty, `.` or `..` segments. */
export function isCanonicalForm(path: string): boolean {
  if (path === "/") return true;
  if (!path.startsWith("/") || path.endsWith("/") || path.includes("\0")) return false;
  return path.slice(1).split("/").every((segment) =>
    segment !== "" && segment !== "." && segment !== ".."
  );
}

/**
 * True when canonical `path` is `root` or lies below it, compared by whole segments: `/data/cases`
 * contains `/data/cases/a` but not `/data/cases_evil`. Non-canonical input is never contained.
 */
export function isWithin(root: string, path: string): boolean {
  if (!isCanonicalForm(root) || !isCanonicalForm(path)) return false;
  if (root === "/") return true;
  return path === root || path.startsWith(`${root}/`);
}

/** Joins a canonical directory and plain entry names without re-normalising anything. */
export function joinCanonical(dir: string, names: readonly string[]): string {
  if (names.length === 0) return dir;
  return `${dir === "/" ? "" : dir}/${names.join("/")}`;
}
