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
import { runTool } from "./run.ts";
import { validateTool } from "./validate.ts";
import type { RunEnvironment } from "../run/execute.ts";

export {
  comparePoliciesTool,
  exportResultsTool,
  getConfigSchemaTool,
  inspectCaseTool,
  inspectPolicyTool,
  listScenariosTool,
  queryConvergenceTool,
  queryResultsTool,
  runTool,
  validateTool,
};

/**
 * Every implemented Cobre tool, in the spec's order (SS2). `cobre/run` needs the process's run
 * coordinator (one run at a time, stopped on disconnect), so it is served only when `run` is
 * given.
 */
export function cobreTools(options: { run?: RunEnvironment } = {}): AnyToolDefinition[] {
  return [
    validateTool,
    ...(options.run ? [runTool(options.run)] : []),
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
