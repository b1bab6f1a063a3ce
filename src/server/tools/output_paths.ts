/**
 * Path handling shared by the tools that read Cobre outputs: a path outside the sandbox gets the
 * sandbox's refusal, and a missing one inside it the spec's `OutputNotFound` (SS2.3–2.6) rather
 * than the case tools' `MissingFile`.
 *
 * @module
 */
import { CobreError, errorRecord } from "../../common/mod.ts";
import type { ToolSandbox } from "../types.ts";

/** Canonical path of an existing output path inside the sandbox, or `OutputNotFound`. */
export async function existingOutputPath(
  sandbox: ToolSandbox,
  path: string,
  expectedContent: string,
): Promise<string> {
  const canonical = await sandbox.locate(path);
  if (canonical !== null) return canonical;
  throw new CobreError(errorRecord(
    "OutputNotFound",
    `Path '${path}' does not exist`,
    { path, expected_content: expectedContent },
    "Check the path: it should be the output directory a Cobre run wrote (or its policy/ folder).",
  ));
}
