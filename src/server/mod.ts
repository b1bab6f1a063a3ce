/**
 * The Cobre MCP server: tool framework, session core on the SDK's low-level `Server`, stdio
 * transport and lifecycle, and the request observer hook the Gate and Flight Recorder plug into.
 *
 * @example
 * ```ts
 * import { cobreTools, serveStdio } from "./src/server/mod.ts";
 * await serveStdio({ tools: cobreTools(), sandbox, mode: "read-only" });
 * ```
 *
 * @module
 */
export type {
  AnyToolDefinition,
  ArtifactLink,
  JobDescription,
  JsonObjectSchema,
  ProgressUpdate,
  ServerMode,
  SharedArtifact,
  ToolAccess,
  ToolContext,
  ToolDefinition,
  ToolHints,
  ToolSandbox,
} from "./types.ts";
export type {
  Admission,
  ObservedNotification,
  ObservedRequest,
  ObservedTool,
  RequestCompletion,
  RequestObserver,
  RequestOutcome,
} from "./observer.ts";
export { isLogLevel, LOG_LEVELS, type Logger, type LogLevel, ServerLog } from "./logger.ts";
export type { LogData, LogMessage, ServerLogOptions } from "./logger.ts";
export { ERROR_RECORD_SCHEMA, withErrorRecordDefs } from "./schemas.ts";
export { isToolNaming, servedToolName, TOOL_NAMINGS, type ToolNaming } from "./tool_names.ts";
export { WRITE_DISABLED_MESSAGE, WRITE_DISABLED_META_KEY } from "./tool_registry.ts";
export { PROGRESS_META_KEY } from "./progress.ts";
export { SERVER_META_KEY } from "./protocol_requests.ts";
export {
  type CobreServer,
  type CobreServerOptions,
  createCobreServer,
  DEFAULT_STOP_GRACE_MS,
} from "./server.ts";
export { DenoStdioTransport, type StdioStreams } from "./stdio_transport.ts";
export { DEFAULT_DRAIN_GRACE_MS, serveStdio, type StdioServeOptions } from "./serve_stdio.ts";
export { COBRE_MCP_VERSION } from "./version.ts";
export {
  cobreTools,
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
} from "./tools/mod.ts";
export { RunCoordinator, type RunLabel, type RunLease } from "./run/coordinator.ts";
export type { RunArgs, RunEnvironment } from "./run/execute.ts";
export type { RunSimulationSummary, RunSummary, RunTrainingSummary } from "./run/summary.ts";
export { iterationBound, RunProgressScale } from "./run/progress.ts";
export { MAX_REPORTED_ERRORS, validationRefusal } from "./run/case_input.ts";
export { engineWorkerPermissions } from "./run/engine_worker.ts";
export { type ServerTaskStore, TASKS_CAPABILITY } from "./tasks.ts";
export { cancelledTaskRecord } from "./task_requests.ts";
export { NO_STOPPED_OUTPUT, readStoppedOutput, type StoppedOutput } from "./run/stopped_output.ts";
export { EXIT_USAGE, runCommandLine } from "./commands.ts";
export { withoutTaskSeparator } from "./cli_args.ts";
export { EXPORT_LINK_THRESHOLD_BYTES, EXPORT_MIME_TYPES } from "./tools/export_results.ts";
export {
  cobreResourceTemplates,
  RecordError,
  RESOURCE_MIME_TYPE,
  RESOURCE_NOT_FOUND,
  ResourceReleasedNotificationSchema,
  type ResourceTemplateDefinition,
} from "./resources/mod.ts";
export { cobrePrompts, type PromptDefinition } from "./prompts/mod.ts";
export { completeDirectory, MAX_COMPLETIONS } from "./completions/mod.ts";
