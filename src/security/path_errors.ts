/**
 * Error records of the sandbox. Every message quotes the path exactly as the caller gave it and
 * never a canonical path or an allowed directory, so a refusal reveals nothing about the
 * allowlist or about what exists outside it (mcp-server.md SS8.2).
 *
 * @module
 */
import { CobreError, errorRecord } from "../common/mod.ts";

/** Spec SS8.4 text for a write attempted when the runtime grants no write permission. */
export const WRITE_DISABLED_MESSAGE =
  "Write operations are disabled. Start the server with --allow-write to enable training and export.";

/** The path resolves outside every allowed directory (or cannot be shown to lie inside one). */
export function outsideSandbox(path: string, reason?: string): CobreError {
  const relative = reason === "relative path";
  return new CobreError(errorRecord(
    "MissingFile",
    `Path '${path}' is not within the allowed directories`,
    reason === undefined ? { path } : { path, reason },
    relative
      ? "Provide an absolute path within the server's configured allowed directories."
      : "Provide a path within the server's configured allowed directories.",
  ));
}

/** Nothing exists at a path that does lie inside the sandbox. */
export function pathNotFound(path: string): CobreError {
  return new CobreError(errorRecord(
    "MissingFile",
    `Path '${path}' does not exist`,
    { path },
    "Check the path for typos; it must name an existing file or directory.",
  ));
}

/** The path exists but is a directory where a file is needed, or the reverse. */
export function wrongKind(path: string, expected: "file" | "directory"): CobreError {
  return new CobreError(errorRecord(
    "MissingFile",
    `Path '${path}' is not a ${expected}`,
    { path, expected },
    `Provide the path of a ${expected}.`,
  ));
}

/** An exclusive create found something (a file, a directory or a symlink) already there. */
export function alreadyExists(path: string): CobreError {
  return new CobreError(errorRecord(
    "InvalidArgument",
    `Path '${path}' already exists`,
    { path },
    "Choose a path that does not exist yet, or remove the existing entry first.",
  ));
}

/** A write path that goes through a symbolic link: writes only follow real directories. */
export function symlinkOnWritePath(path: string): CobreError {
  return new CobreError(errorRecord(
    "PermissionDenied",
    `Path '${path}' goes through a symbolic link; writes only use real directories`,
    { path },
    "Write to the directory the link points to, or replace the link with a real directory.",
  ));
}

/** Removing an allowed directory itself (or the parent of one) is never allowed. */
export function cannotRemove(path: string): CobreError {
  return new CobreError(errorRecord(
    "PermissionDenied",
    `Path '${path}' cannot be removed`,
    { path },
    "Remove entries inside the directory instead.",
  ));
}

/** Maps an error from a Deno file call to a record that names only the caller's path. */
export function fromFsError(path: string, operation: string, error: unknown): CobreError {
  if (error instanceof CobreError) return error;
  if (error instanceof Deno.errors.NotFound) return pathNotFound(path);
  if (error instanceof Deno.errors.AlreadyExists) return alreadyExists(path);
  // NotCapable: the runtime (Deno permissions) refused; for writes this is read-only mode.
  if (error instanceof Deno.errors.NotCapable) {
    return operation === "read" ? outsideSandbox(path) : writeDisabled();
  }
  const name = error instanceof Error ? error.name : "Error";
  return new CobreError(errorRecord(
    error instanceof Deno.errors.PermissionDenied ? "PermissionDenied" : "InternalError",
    `Could not ${operation} '${path}' (${name})`,
    { path, operation, error: name },
    null,
  ));
}

/** The spec's refusal for a write when the server runs read-only. */
export function writeDisabled(): CobreError {
  return new CobreError(errorRecord(
    "WriteDisabled",
    WRITE_DISABLED_MESSAGE,
    {},
    "Restart the server with write permission on the allowed directories.",
  ));
}
