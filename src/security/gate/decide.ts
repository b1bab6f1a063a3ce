/**
 * The Gate's decisions: pure functions from (profile, server mode, request) to an allow or deny
 * record. Deny by default: a request is allowed only when every rule says yes. Each decision
 * carries a machine reason and the profile id so the Flight Recorder can store it as is.
 *
 * @module
 */
import { type ErrorRecord, errorRecord } from "../../common/mod.ts";
import { type CapabilityProfile, type ServerMode, toolTimeoutMs } from "./profile.ts";
import { WRITE_TOOLS } from "./tools.ts";

/** The spec's exact refusal text for writes on a read-only server (SS8.4). */
export const WRITE_DISABLED_MESSAGE =
  "Write operations are disabled. Start the server with --allow-write to enable training and export.";

/** allow / deny come from `decide*`; timeout from `runWithTimeout`. */
export type GateVerdict = "allow" | "deny" | "timeout";

/** Why the Gate decided as it did (stable codes for the recorder and for tests). */
export type GateReason =
  | "allowed"
  | "write_disabled"
  | "tool_not_in_profile"
  | "path_not_canonical"
  | "path_outside_profile"
  | "resources_not_in_profile"
  | "prompts_not_in_profile"
  | "method_not_allowed"
  | "timeout";

/** One Gate decision, recorded for every request whatever the verdict. */
export interface GateDecision {
  readonly verdict: GateVerdict;
  readonly reason: GateReason;
  readonly profileId: string;
  readonly method: string;
  readonly toolName: string | null;
  /** Time budget for an allowed tool call in ms; null = none. */
  readonly timeoutMs: number | null;
  /** The record to send back when the verdict is not allow. */
  readonly error: ErrorRecord | null;
}

/** Who is asking: the session's profile and what the runtime granted. */
export interface GateContext {
  readonly profile: CapabilityProfile;
  readonly mode: ServerMode;
}

/**
 * Protocol methods any session may use; their own handlers check what they touch. Everything
 * else (including methods added to the protocol later) is denied until listed here.
 */
const PROTOCOL_METHODS: ReadonlySet<string> = new Set([
  "initialize",
  "ping",
  "tools/list",
  "resources/list",
  "resources/templates/list",
  "prompts/list",
  "logging/setLevel",
  "completion/complete",
  "tasks/get",
  "tasks/result",
  "tasks/list",
  "tasks/cancel",
  "resources/subscribe",
  "resources/unsubscribe",
]);

/** True when `path` is absolute with no empty, `.` or `..` segment (what canonical means here). */
export function isCanonicalPath(path: string): boolean {
  if (!path.startsWith("/") || path.includes("\0")) return false;
  if (path === "/") return true;
  const segments = path.slice(1).split("/");
  return segments.every((segment) => segment !== "" && segment !== "." && segment !== "..");
}

/** True when canonical `path` equals `dir` or lies below it, compared segment by segment. */
export function isWithinDir(path: string, dir: string): boolean {
  if (dir === "/") return true;
  const pathSegments = path.split("/");
  const dirSegments = dir.split("/");
  if (pathSegments.length < dirSegments.length) return false;
  return dirSegments.every((segment, index) => pathSegments[index] === segment);
}

function allow(ctx: GateContext, method: string, toolName: string | null): GateDecision {
  const timeoutMs = toolName === null ? null : toolTimeoutMs(ctx.profile, toolName);
  return {
    verdict: "allow",
    reason: "allowed",
    profileId: ctx.profile.id,
    method,
    toolName,
    timeoutMs,
    error: null,
  };
}

function deny(
  ctx: GateContext,
  method: string,
  toolName: string | null,
  reason: GateReason,
  error: ErrorRecord,
): GateDecision {
  return {
    verdict: "deny",
    reason,
    profileId: ctx.profile.id,
    method,
    toolName,
    timeoutMs: null,
    error,
  };
}

/** First path that breaks a rule, with the reason, or null when all paths pass. */
function checkPaths(
  ctx: GateContext,
  paths: readonly string[],
): { path: string; reason: "path_not_canonical" | "path_outside_profile" } | null {
  for (const path of paths) {
    if (!isCanonicalPath(path)) return { path, reason: "path_not_canonical" };
    const prefixes = ctx.profile.pathPrefixes;
    if (prefixes !== null && !prefixes.some((dir) => isWithinDir(path, dir))) {
      return { path, reason: "path_outside_profile" };
    }
  }
  return null;
}

function pathDenied(
  ctx: GateContext,
  method: string,
  toolName: string | null,
  failure: { path: string; reason: "path_not_canonical" | "path_outside_profile" },
): GateDecision {
  const what = toolName ?? method;
  // Never list the profile's prefixes: like the sandbox allowlist, they are not the agent's to see.
  const message = failure.reason === "path_not_canonical"
    ? `${what} was denied: path "${failure.path}" is not an absolute canonical path`
    : `${what} was denied: path "${failure.path}" is outside the directories capability profile "${ctx.profile.id}" allows`;
  return deny(
    ctx,
    method,
    toolName,
    failure.reason,
    errorRecord(
      "PermissionDenied",
      message,
      { path: failure.path, profile_id: ctx.profile.id, reason: failure.reason },
      "Use a path inside the directories this session's capability profile allows.",
    ),
  );
}

/**
 * Decides a `tools/call`. `canonicalPaths` are the tool's path arguments after the sandbox
 * canonicalised them (see `pathArguments`). Writes on a read-only runtime get the spec's text.
 */
export function decideToolCall(
  ctx: GateContext,
  toolName: string,
  canonicalPaths: readonly string[],
): GateDecision {
  const method = "tools/call";
  if (WRITE_TOOLS.has(toolName) && ctx.mode !== "read-write") {
    return deny(
      ctx,
      method,
      toolName,
      "write_disabled",
      errorRecord(
        "WriteDisabled",
        WRITE_DISABLED_MESSAGE,
        { tool: toolName, profile_id: ctx.profile.id, server_mode: ctx.mode },
        "Use the read-only tools, or ask the operator to restart the server with --allow-write.",
      ),
    );
  }
  if (!ctx.profile.tools.has(toolName)) {
    return deny(
      ctx,
      method,
      toolName,
      "tool_not_in_profile",
      errorRecord(
        "PermissionDenied",
        `Tool "${toolName}" was denied: capability profile "${ctx.profile.id}" does not allow it`,
        { tool: toolName, profile_id: ctx.profile.id, allowed_tools: [...ctx.profile.tools] },
        "Call one of the allowed tools, or ask the operator for a profile that includes this one.",
      ),
    );
  }
  const failure = checkPaths(ctx, canonicalPaths);
  if (failure !== null) return pathDenied(ctx, method, toolName, failure);
  return allow(ctx, method, toolName);
}

/** Decides a `resources/read` of a `cobre://` resource whose URI variables name `canonicalPaths`. */
export function decideResourceRead(
  ctx: GateContext,
  canonicalPaths: readonly string[],
): GateDecision {
  const method = "resources/read";
  if (!ctx.profile.resources) {
    return deny(
      ctx,
      method,
      null,
      "resources_not_in_profile",
      errorRecord(
        "PermissionDenied",
        `Resource reads were denied: capability profile "${ctx.profile.id}" does not allow them`,
        { profile_id: ctx.profile.id },
        "Use the tools this profile allows instead.",
      ),
    );
  }
  const failure = checkPaths(ctx, canonicalPaths);
  if (failure !== null) return pathDenied(ctx, method, null, failure);
  return allow(ctx, method, null);
}

/** Decides a `prompts/get`. */
export function decidePromptGet(ctx: GateContext, promptName: string): GateDecision {
  const method = "prompts/get";
  if (ctx.profile.prompts) return allow(ctx, method, null);
  return deny(
    ctx,
    method,
    null,
    "prompts_not_in_profile",
    errorRecord(
      "PermissionDenied",
      `Prompt "${promptName}" was denied: capability profile "${ctx.profile.id}" does not allow prompts`,
      { prompt: promptName, profile_id: ctx.profile.id },
      null,
    ),
  );
}

/**
 * Decides any other request method: the listed protocol methods pass (their handlers check what
 * they touch); anything unlisted is denied.
 */
export function decideMethod(ctx: GateContext, method: string): GateDecision {
  if (PROTOCOL_METHODS.has(method)) return allow(ctx, method, null);
  return deny(
    ctx,
    method,
    null,
    "method_not_allowed",
    errorRecord(
      "PermissionDenied",
      `Method "${method}" was denied: it is not a method this server allows`,
      { method, profile_id: ctx.profile.id },
      null,
    ),
  );
}
