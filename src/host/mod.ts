/**
 * The gated MCP host: an MCP client that launches a Cobre server with least-privilege Deno flags
 * (or reaches one over Streamable HTTP with a bearer token), gates what goes out (policy, paths,
 * confirmation) and what comes in (declared capabilities only, progress tokens it issued, its
 * own server's `ref://` references), redacts results, and keeps its own durable jobs and Flight
 * Recorder. The `host` and `demo` commands are built on it.
 *
 * @example
 * ```ts
 * const policy = defaultHostPolicy({ roots: [casesDir], write: true, preApprove: ["cobre/run"] });
 * const host = await GatedHost.open({ policy, stateDir: hostStateDir });
 * await host.connect(await launchCobreServer({ allowedDirs: [casesDir], stateDir, write: true }));
 * const call = await host.callTool("cobre/validate", { case_dir: `${casesDir}/tiny` });
 * await host.close();
 * ```
 *
 * @module
 */
export { GatedHost } from "./host.ts";
export {
  type CallOptions,
  type CallOutcome,
  type HostCallResult,
  type HostOptions,
  type HostProgress,
  JOB_META_KEY,
  type ResolvedReference,
  RESOURCE_RELEASED,
  SERVER_META_KEY,
  type SessionInfo,
} from "./types.ts";
export { describeExit } from "./session.ts";
export { type CallIds, claimMismatches } from "./claims.ts";
export {
  canonicalisePolicy,
  type CustomPattern,
  DEFAULT_REDACTION,
  defaultHostPolicy,
  type HostPolicy,
  loadHostPolicy,
  parseHostPolicy,
  type RedactionPolicy,
  type SamplingPolicy,
  type ToolRule,
} from "./policy.ts";
export {
  afterConfirmation,
  decideOutbound,
  DEFAULT_TOOL_TIMEOUT_MS,
  type OutboundDecision,
  type OutboundReason,
  outboundTimeoutMs,
  pathArgumentsOf,
} from "./outbound_gate.ts";
export {
  answerServerRequest,
  type DeclaredCapabilities,
  declaredCapabilities,
  type InboundAnswer,
  type InboundRequest,
  METHOD_NOT_FOUND,
  rootsResult,
} from "./inbound_gate.ts";
export {
  type ConfirmAnswer,
  confirmationQuestion,
  type ConfirmationRequest,
  type Confirmer,
  nonInteractiveConfirmer,
  terminalConfirmer,
} from "./confirm.ts";
export { type Redacted, type RedactionFiring, Redactor, SECRET_RULES } from "./redact.ts";
export { FENCE_SYSTEM_PROMPT } from "./sampling.ts";
export {
  type FencedSamplingRequest,
  planSampling,
  type SamplingCompletion,
  type SamplingPlan,
  type SamplingProvider,
} from "./sampling.ts";
export { checkReferenceUri, type ReferenceCheck, type ReferenceRefusal } from "./references.ts";
export { type AgentResult, errorResult, recordOf, type ReferenceLink } from "./results.ts";
export {
  type CobreLaunchOptions,
  type HttpTarget,
  httpTarget,
  launchCobreServer,
  permissionFlags,
  type ServerTarget,
  type StdioTarget,
} from "./targets.ts";
export {
  MalformedMessageError,
  SERVER_ENV_PASSTHROUGH,
  serverEnvironment,
  type ServerExit,
  StdioServerTransport,
} from "./stdio_client.ts";
export { FloodGuard } from "./flood_guard.ts";
export { HOST_USAGE, parseHostArgs, runHostCommand } from "./cli.ts";
export { DEMO_CASE, DEMO_USAGE, runDemo } from "./demo.ts";
export { convergencePoints, convergenceSvg, terminalChart } from "./chart.ts";
export { formatProgress, ProgressBar } from "./progress_bar.ts";
export { formatTrail, linkJobs, mergeTrail, readServerFlight } from "./audit_trail.ts";
export { copyTree } from "./demo.ts";
