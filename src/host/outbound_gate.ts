/**
 * The outbound gate: decides, before anything leaves the host, whether a job may make a tool
 * call. Pure: the caller canonicalises the path arguments first (symlinks resolved, by the
 * security sandbox over the policy roots) and hands them in.
 *
 * Deny by default: a tool absent from the policy is denied, and so is any path argument outside
 * the roots or outside the tool's own narrower directories (by whole path segments). A tool
 * marked `confirm` yields `confirm`; the host then asks a person or finds a pre-approval.
 *
 * @module
 */
import { type ErrorRecord, errorRecord } from "../common/mod.ts";
import { isWithinDir, SPEC_TIMEOUTS_MS } from "../security/mod.ts";
import type { HostPolicy } from "./policy.ts";

/** Why the gate decided as it did (stable codes for the recorder and tests). */
export type OutboundReason =
  | "allowed"
  | "pre_approved"
  | "confirmed"
  | "needs_confirmation"
  | "confirmation_declined"
  | "tool_not_in_policy"
  | "path_outside_roots"
  | "path_outside_tool_dirs";

/** One outbound decision. */
export interface OutboundDecision {
  readonly verdict: "allow" | "deny" | "confirm";
  readonly reason: OutboundReason;
  readonly policyId: string;
  readonly toolName: string;
  /** Overall budget for an allowed call in ms; null = none (the idle limit still applies). */
  readonly timeoutMs: number | null;
  /** The record the agent gets when the verdict is deny. */
  readonly error: ErrorRecord | null;
}

/** Timeout for tools the spec does not know (another server's tools). */
export const DEFAULT_TOOL_TIMEOUT_MS = 60_000;

const PATH_KEY = /(^|_)(dir|dirs|path|paths|file|files)$/;

/**
 * The path values in a call's arguments: strings (or string items) under keys named `path`,
 * `dir`, `file` or ending in `_dir(s)`, `_path(s)`, `_file(s)` (`case_dir`, `output_dir`,
 * `policy_dirs`, …). Returned with their key so the host can put canonical forms back.
 */
export function pathArgumentsOf(
  args: Record<string, unknown>,
): { key: string; index: number | null; value: string }[] {
  const found: { key: string; index: number | null; value: string }[] = [];
  for (const [key, value] of Object.entries(args)) {
    if (!PATH_KEY.test(key)) continue;
    if (typeof value === "string") found.push({ key, index: null, value });
    else if (Array.isArray(value)) {
      value.forEach((item, index) => {
        if (typeof item === "string") found.push({ key, index, value: item });
      });
    }
  }
  return found;
}

/** The call's overall time budget under `policy`. */
export function outboundTimeoutMs(policy: HostPolicy, toolName: string): number | null {
  const rule = policy.tools.get(toolName);
  if (rule?.timeoutMs !== undefined) return rule.timeoutMs;
  const spec = (SPEC_TIMEOUTS_MS as Readonly<Record<string, number | null>>)[toolName];
  return spec === undefined ? DEFAULT_TOOL_TIMEOUT_MS : spec;
}

function deny(
  policy: HostPolicy,
  toolName: string,
  reason: OutboundReason,
  error: ErrorRecord,
): OutboundDecision {
  return { verdict: "deny", reason, policyId: policy.id, toolName, timeoutMs: null, error };
}

/** A denial for a path the sandbox refused (outside every root, or malformed). */
export function pathOutsideRoots(
  policy: HostPolicy,
  toolName: string,
  path: string,
): OutboundDecision {
  return deny(
    policy,
    toolName,
    "path_outside_roots",
    errorRecord(
      "PermissionDenied",
      `The host refused ${toolName}: path "${
        clip(path)
      }" is not within the directories this job may use`,
      { tool: toolName, path: clip(path), policy_id: policy.id, reason: "path_outside_roots" },
      "Use an absolute path inside the directories the host was started with.",
    ),
  );
}

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

/**
 * Decides a tool call whose path arguments were canonicalised (and found inside the roots).
 * Never reveals the roots or a tool's directories in the record.
 */
export function decideOutbound(
  policy: HostPolicy,
  toolName: string,
  canonicalPaths: readonly string[],
): OutboundDecision {
  const rule = policy.tools.get(toolName);
  if (rule === undefined) {
    return deny(
      policy,
      toolName,
      "tool_not_in_policy",
      errorRecord(
        "PermissionDenied",
        `The host refused ${clip(toolName)}: policy "${policy.id}" does not allow this tool`,
        { tool: clip(toolName), policy_id: policy.id, allowed_tools: [...policy.tools.keys()] },
        "Call one of the allowed tools, or ask the operator for a policy that includes this one.",
      ),
    );
  }
  for (const path of canonicalPaths) {
    if (!policy.roots.some((root) => isWithinDir(path, root))) {
      return pathOutsideRoots(policy, toolName, path);
    }
    if (rule.paths !== null && !rule.paths.some((dir) => isWithinDir(path, dir))) {
      return deny(
        policy,
        toolName,
        "path_outside_tool_dirs",
        errorRecord(
          "PermissionDenied",
          `The host refused ${toolName}: policy "${policy.id}" does not allow it on "${
            clip(path)
          }"`,
          {
            tool: toolName,
            path: clip(path),
            policy_id: policy.id,
            reason: "path_outside_tool_dirs",
          },
          "Use a directory this tool is allowed on, or ask the operator to widen the policy.",
        ),
      );
    }
  }
  const timeoutMs = outboundTimeoutMs(policy, toolName);
  if (rule.confirm) {
    const preApproved = policy.preApproved.has(toolName);
    return {
      verdict: preApproved ? "allow" : "confirm",
      reason: preApproved ? "pre_approved" : "needs_confirmation",
      policyId: policy.id,
      toolName,
      timeoutMs,
      error: null,
    };
  }
  return {
    verdict: "allow",
    reason: "allowed",
    policyId: policy.id,
    toolName,
    timeoutMs,
    error: null,
  };
}

/** The outcome after a person answered (or could not be asked) for a `confirm` verdict. */
export function afterConfirmation(
  decision: OutboundDecision,
  answer: "yes" | "no" | "not_interactive",
): OutboundDecision {
  if (decision.verdict !== "confirm") return decision;
  if (answer === "yes") return { ...decision, verdict: "allow", reason: "confirmed" };
  const notAsked = answer === "not_interactive";
  return {
    ...decision,
    verdict: "deny",
    reason: notAsked ? "needs_confirmation" : "confirmation_declined",
    error: errorRecord(
      "PermissionDenied",
      notAsked
        ? `The host refused ${decision.toolName}: it needs a person's confirmation and none can be asked here`
        : `The host refused ${decision.toolName}: the operator declined it`,
      {
        tool: decision.toolName,
        policy_id: decision.policyId,
        reason: notAsked ? "needs_confirmation" : "confirmation_declined",
      },
      notAsked
        ? "Run the host on a terminal, or have the operator pre-approve this tool (--yes or pre_approved)."
        : "Ask the operator before trying again.",
    ),
  };
}
