/**
 * The Gate: every request passes through it before a handler runs.
 *
 * A session runs under a capability profile (`read-only` by default, `read-write` when the
 * runtime granted write, or a validated profile file). `decideToolCall`, `decideResourceRead`,
 * `decidePromptGet` and `decideMethod` return a `GateDecision` (allow or deny, with reason,
 * profile id and an `ErrorRecord` when denied); `runWithTimeout` enforces the spec's per-tool
 * budgets and yields a timeout decision. Every decision goes to the Flight Recorder.
 *
 * @example
 * ```ts
 * const ctx = { profile: selectProfile("read-only", mode), mode };
 * const decision = decideToolCall(ctx, "cobre/validate", canonicalPaths);
 * if (decision.verdict === "deny") return errorResult(decision.error);
 * const outcome = await runWithTimeout(decision, (signal) => validate(args, signal));
 * ```
 *
 * @module
 */
export {
  COBRE_TOOLS,
  type CobreToolName,
  isCobreTool,
  pathArguments,
  READ_ONLY_TOOLS,
  SPEC_TIMEOUTS_MS,
  WRITE_TOOLS,
} from "./tools.ts";
export {
  type CapabilityProfile,
  loadProfileFile,
  parseProfile,
  PROFILE_JSON_SCHEMA,
  type ProfileFileDeps,
  READ_ONLY_PROFILE,
  READ_WRITE_PROFILE,
  selectProfile,
  type ServerMode,
  toolTimeoutMs,
} from "./profile.ts";
export {
  decideMethod,
  decidePromptGet,
  decideResourceRead,
  decideToolCall,
  type GateContext,
  type GateDecision,
  type GateReason,
  type GateVerdict,
  isCanonicalPath,
  isWithinDir,
  WRITE_DISABLED_MESSAGE,
} from "./decide.ts";
export {
  type GatedOutcome,
  runWithTimeout,
  type RunWithTimeoutOptions,
  timeoutDecision,
} from "./timeout.ts";
export {
  createGateObserver,
  type GateAdmission,
  gateDecisionEvent,
  type GateObservedRequest,
  type GateObserver,
  type GateObserverOptions,
} from "./observer.ts";
