/**
 * Tool naming schemes. The spec names tools `cobre/validate`; several LLM APIs accept only
 * `[a-zA-Z0-9_-]` in function names, so `--tool-names portable` serves `cobre_validate` instead.
 *
 * @module
 */

/** `spec` serves names as the Cobre MCP spec writes them; `portable` replaces `/` with `_`. */
export type ToolNaming = "spec" | "portable";

/** The naming schemes `--tool-names` accepts. */
export const TOOL_NAMINGS: readonly ToolNaming[] = ["spec", "portable"];

/** The name a tool is listed and called by under `naming`. */
export function servedToolName(specName: string, naming: ToolNaming): string {
  return naming === "portable" ? specName.replaceAll("/", "_") : specName;
}

/** True when `value` names a naming scheme. */
export function isToolNaming(value: string): value is ToolNaming {
  return (TOOL_NAMINGS as readonly string[]).includes(value);
}
