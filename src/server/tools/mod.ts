/**
 * The Cobre tools this server serves, one file per tool. A tool is listed here only once it is
 * fully implemented: an agent never sees a tool that cannot do what the spec says.
 *
 * @module
 */
import type { AnyToolDefinition } from "../types.ts";
import { getConfigSchemaTool } from "./get_config_schema.ts";
import { inspectCaseTool } from "./inspect_case.ts";
import { listScenariosTool } from "./list_scenarios.ts";
import { validateTool } from "./validate.ts";

export { getConfigSchemaTool, inspectCaseTool, listScenariosTool, validateTool };

/** Every implemented Cobre tool, in the spec's order (SS2). */
export function cobreTools(): AnyToolDefinition[] {
  return [validateTool, inspectCaseTool, listScenariosTool, getConfigSchemaTool];
}
