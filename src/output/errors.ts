/**
 * Error records of the output layer, with the context fields the Cobre registry prescribes
 * (structured-output SS2.3.2): `OutputNotFound {path, expected_content}`,
 * `OutputCorrupted {file, detail}`. Paths are reported as the caller gave them, never resolved.
 *
 * @module
 */
import { CobreError, errorRecord, isCobreError } from "../common/mod.ts";

/** A required output file or directory is missing. */
export function outputNotFound(
  path: string,
  expectedContent: string,
  suggestion: string | null = null,
): CobreError {
  return new CobreError(
    errorRecord(
      "OutputNotFound",
      `No ${expectedContent} at "${path}"`,
      { path, expected_content: expectedContent },
      suggestion ??
        "Check the path, or run the study first (cobre/run) so that the output is written.",
    ),
  );
}

/** An output file exists but cannot be read or has an invalid structure. */
export function outputCorrupted(file: string, detail: string): CobreError {
  return new CobreError(
    errorRecord(
      "OutputCorrupted",
      `Output file "${file}" cannot be read: ${detail}`,
      { file, detail },
      "The file is truncated or was not written by Cobre. Re-run the study to regenerate it.",
    ),
  );
}

/** An argument is not one of the accepted values; the record lists the valid ones. */
export function invalidChoice(
  argument: string,
  value: string,
  valid: readonly string[],
): CobreError {
  return new CobreError(
    errorRecord(
      "InvalidArgument",
      `Unknown ${argument} "${value}"; valid values: ${valid.join(", ")}`,
      { argument, value, valid: [...valid] },
      `Use one of: ${valid.join(", ")}.`,
    ),
  );
}

/** An argument is malformed (wrong shape, out of range). */
export function invalidArgument(argument: string, message: string): CobreError {
  return new CobreError(errorRecord("InvalidArgument", message, { argument }, null));
}

/**
 * A short, path-free description of an unexpected error for an `OutputCorrupted` detail.
 * Messages of Deno's own I/O errors embed absolute paths, so only their class name is kept.
 */
export function describeError(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "file disappeared while reading";
  if (error instanceof Error) {
    const isIoError = Object.values(Deno.errors).some((cls) => error instanceof cls);
    return isIoError ? error.name : error.message;
  }
  return String(error);
}

/** Re-throws CobreErrors unchanged (sandbox refusals) and wraps anything else as corruption. */
export function asOutputError(error: unknown, file: string): CobreError {
  if (isCobreError(error)) return error;
  return outputCorrupted(file, describeError(error));
}
