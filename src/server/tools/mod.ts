/**
 * The Cobre tools this server serves, one file per tool. A tool is listed here only once it is
 * fully implemented: an agent never sees a tool that cannot do what the spec says.
 *
 * @module
 */
import type { AnyToolDefinition } from "../types.ts";
import { comparePoliciesTool } from "./compare_policies.ts";
import { exportResultsTool } from "./export_results.ts";
import { getConfigSchemaTool } from "./get_config_schema.ts";
import { inspectCaseTool } from "./inspect_case.ts";
import { inspectPolicyTool } from "./inspect_policy.ts";
import { listScenariosTool } from "./list_scenarios.ts";
import { queryConvergenceTool } from "./query_convergence.ts";
import { queryResultsTool } from "./query_results.ts";
import { validateTool } from "./validate.ts";

export {
  comparePoliciesTool,
  exportResultsTool,
  getConfigSchemaTool,
  inspectCaseTool,
  inspectPolicyTool,
  listScenariosTool,
  queryConvergenceTool,
  queryResultsTool,
  validateTool,
};

/** Every implemented Cobre tool, in the spec's order (SS2). */
export function cobreTools(): AnyToolDefinition[] {
  return [
    validateTool,
    queryResultsTool,
    queryConvergenceTool,
    inspectPolicyTool,
    comparePoliciesTool,
    inspectCaseTool,
    listScenariosTool,
    exportResultsTool,
    getConfigSchemaTool,
  ];
}
