/**
 * The Cobre tool catalog as the Gate sees it: which tools exist, which write, how long each may run
 * (Cobre MCP server spec SS2 "Timeout" paragraphs and SS8.1), and which arguments carry paths.
 *
 * @module
 */

/** The 10 tools of the Cobre MCP server spec SS2, in spec order. */
export const COBRE_TOOLS = [
  "cobre/validate",
  "cobre/run",
  "cobre/query-results",
  "cobre/query-convergence",
  "cobre/inspect-policy",
  "cobre/compare-policies",
  "cobre/inspect-case",
  "cobre/list-scenarios",
  "cobre/export-results",
  "cobre/get-config-schema",
] as const;

export type CobreToolName = typeof COBRE_TOOLS[number];

/** Tools classified read-write by spec SS8.1: they need `--allow-write`. */
export const WRITE_TOOLS: ReadonlySet<string> = new Set(["cobre/run", "cobre/export-results"]);

/** Tools classified read-only by spec SS8.1. */
export const READ_ONLY_TOOLS: readonly CobreToolName[] = COBRE_TOOLS.filter((name) =>
  !WRITE_TOOLS.has(name)
);

/**
 * Default per-tool timeouts in milliseconds from the spec. `null` means no timeout: `cobre/run`
 * runs until a stopping rule fires and is ended only by cancellation.
 */
export const SPEC_TIMEOUTS_MS: Readonly<Record<CobreToolName, number | null>> = {
  "cobre/validate": 60_000,
  "cobre/run": null,
  "cobre/query-results": 30_000,
  "cobre/query-convergence": 10_000,
  "cobre/inspect-policy": 10_000,
  "cobre/compare-policies": 30_000,
  "cobre/inspect-case": 10_000,
  "cobre/list-scenarios": 10_000,
  "cobre/export-results": 60_000,
  "cobre/get-config-schema": 5_000,
};

/** True when `name` is one of the 10 spec tools. */
export function isCobreTool(name: string): name is CobreToolName {
  return (COBRE_TOOLS as readonly string[]).includes(name);
}

/**
 * The raw path values in a tool's arguments: every string under a key ending in `_dir` and every
 * string item under a key ending in `_dirs` (`case_dir`, `output_dir`, `policy_dir`,
 * `policy_dirs`). The caller canonicalises them through the sandbox before asking the Gate.
 */
export function pathArguments(args: unknown): string[] {
  if (typeof args !== "object" || args === null || Array.isArray(args)) return [];
  const paths: string[] = [];
  for (const [key, value] of Object.entries(args)) {
    if (key.endsWith("_dir") && typeof value === "string") paths.push(value);
    if (key.endsWith("_dirs") && Array.isArray(value)) {
      for (const item of value) if (typeof item === "string") paths.push(item);
    }
  }
  return paths;
}
