/**
 * Prompt argument handling: MCP prompt arguments are strings, so list-valued arguments of the
 * spec (`output_dirs`) arrive as text, and path arguments go through the sandbox like any tool's.
 *
 * @module
 */
import { CobreError, errorRecord } from "../../common/mod.ts";
import type { ToolSandbox } from "../types.ts";
import { existingOutputPath } from "../tools/output_paths.ts";

/** Most directories one prompt compares. */
export const MAX_PROMPT_DIRS = 10;

function invalid(argument: string, message: string, suggestion: string): CobreError {
  return new CobreError(errorRecord("InvalidArgument", message, { argument }, suggestion));
}

/**
 * Parses a list argument: a JSON array of strings (`["/a","/b"]`), or entries separated by
 * commas or newlines (`/a, /b`). Blank entries are dropped; an entry's own spaces at either end
 * are trimmed. Paths containing a comma must use the JSON form.
 */
export function parseList(value: string, argument: string): string[] {
  const text = value.trim();
  if (text.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw invalid(
        argument,
        `${argument} starts with "[" but is not a JSON array`,
        `Give ${argument} as a JSON array of strings, or as paths separated by commas.`,
      );
    }
    if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) {
      throw invalid(
        argument,
        `${argument} must be a JSON array of strings`,
        `Give ${argument} as ["/path/one", "/path/two"].`,
      );
    }
    return parsed.map((item: string) => item.trim()).filter((item) => item !== "");
  }
  return text.split(/[,\n]/).map((item) => item.trim()).filter((item) => item !== "");
}

/** `parseList` with the spec's `minItems` and this server's upper bound. */
export function parseDirectoryList(value: string, argument: string, minItems: number): string[] {
  const dirs = parseList(value, argument);
  if (dirs.length < minItems || dirs.length > MAX_PROMPT_DIRS) {
    throw invalid(
      argument,
      `${argument} needs between ${minItems} and ${MAX_PROMPT_DIRS} directories, got ${dirs.length}`,
      `List ${minItems} to ${MAX_PROMPT_DIRS} absolute paths, as a JSON array or separated by commas.`,
    );
  }
  return dirs;
}

/**
 * Canonical path of an existing output directory inside the sandbox. Paths outside get the
 * sandbox's refusal; missing ones (or files) `OutputNotFound`, as for the output tools.
 */
export async function resolveOutputDir(sandbox: ToolSandbox, path: string): Promise<string> {
  const expected = "Cobre output directory (training/, simulation/, policy/)";
  const canonical = await existingOutputPath(sandbox, path, expected);
  if ((await sandbox.access.stat(canonical))?.isDirectory) return canonical;
  throw new CobreError(errorRecord(
    "OutputNotFound",
    `Path '${path}' is not a directory`,
    { path, expected_content: expected },
    "Give the absolute path of a Cobre output directory.",
  ));
}
