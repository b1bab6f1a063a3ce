/**
 * The tools a server serves, indexed by the name clients use, with compiled validators and the
 * `tools/list` entry computed once (the list is static: `listChanged: false`).
 *
 * @module
 */
import type { Tool } from "./sdk.ts";
import { compileToolValidators, type ToolValidators } from "./schema_validation.ts";
import { servedToolName, type ToolNaming } from "./tool_names.ts";
import type { AnyToolDefinition, ServerMode } from "./types.ts";

/** Spec SS8.4: the error and the listing note for write tools on a read-only server. */
export const WRITE_DISABLED_MESSAGE =
  "Write operations are disabled. Start the server with --allow-write to enable training and export.";

/** `_meta` key of the write-availability annotation in `tools/list` (spec SS9.3). */
export const WRITE_DISABLED_META_KEY = "dev.cobre/write-disabled";

/** One registered tool. */
export interface RegisteredTool {
  definition: AnyToolDefinition;
  servedName: string;
  validators: ToolValidators;
  listing: Tool;
}

function listingOf(
  definition: AnyToolDefinition,
  servedName: string,
  mode: ServerMode,
  tasks: boolean,
): Tool {
  const writeDisabled = definition.access === "write" && mode === "read-only";
  return {
    name: servedName,
    title: definition.title,
    // Models read descriptions, not annotations: say it where it will be seen.
    description: writeDisabled
      ? `${definition.description}\n\nUnavailable on this server: ${WRITE_DISABLED_MESSAGE}`
      : definition.description,
    inputSchema: definition.inputSchema,
    outputSchema: definition.outputSchema,
    annotations: {
      title: definition.title,
      readOnlyHint: definition.access === "read",
      ...definition.annotations,
    },
    // Declared only when the server keeps tasks; without it every tool is task-forbidden.
    ...(tasks && definition.taskSupport
      ? { execution: { taskSupport: definition.taskSupport } }
      : {}),
    ...(writeDisabled
      ? { _meta: { [WRITE_DISABLED_META_KEY]: { disabled: true, reason: WRITE_DISABLED_MESSAGE } } }
      : {}),
  };
}

/**
 * Builds the registry; throws on duplicate served names (a programming error, caught at start).
 * `tasks`: the server keeps MCP tasks, so tools that support them say so in their listing.
 */
export function buildToolRegistry(
  definitions: readonly AnyToolDefinition[],
  naming: ToolNaming,
  mode: ServerMode,
  tasks = false,
): Map<string, RegisteredTool> {
  const registry = new Map<string, RegisteredTool>();
  for (const definition of definitions) {
    const servedName = servedToolName(definition.name, naming);
    if (registry.has(servedName)) {
      throw new Error(`Two tools are served as "${servedName}"`);
    }
    registry.set(servedName, {
      definition,
      servedName,
      validators: compileToolValidators(
        definition.name,
        definition.inputSchema,
        definition.outputSchema,
      ),
      listing: listingOf(definition, servedName, mode, tasks),
    });
  }
  return registry;
}
