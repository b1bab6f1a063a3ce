/**
 * The host's outbound policy: which tools a job may call, on which directories, which calls need
 * a person's confirmation, and what the host answers when the server asks it for something
 * (roots, sampling, elicitation) and how it redacts results.
 *
 * Policy file (JSON; unknown keys are errors, so a typo never widens or silently narrows it):
 *
 * ```json
 * {
 *   "policy_id": "planner-sin",
 *   "description": "SIN studies: validate and query anywhere under the roots, train only in sin/",
 *   "roots": ["/data/cases"],
 *   "tools": {
 *     "cobre/validate": {},
 *     "cobre/query-convergence": { "timeout_s": 20 },
 *     "cobre/run": { "confirm": true, "paths": ["/data/cases/sin"] }
 *   },
 *   "pre_approved": ["cobre/run"],
 *   "roots_capability": true,
 *   "sampling": { "enabled": false, "max_tokens": 1024 },
 *   "elicitation": false,
 *   "redaction": { "host_paths": true, "secrets": true, "patterns": [{ "id": "corp", "regex": "corp\\.internal" }] },
 *   "idle_timeout_s": 300
 * }
 * ```
 *
 * Paths are canonicalised when the file is loaded (`loadHostPolicy`); a tool's `paths` must lie
 * inside the roots (a per-tool rule may only narrow them).
 *
 * @module
 */
import {
  CobreError,
  errorRecord,
  isObject,
  type JsonValue,
  messageOf,
  scalarOrNull,
} from "../common/mod.ts";
import { isWithinDir, READ_ONLY_TOOLS, WRITE_TOOLS } from "../security/mod.ts";

/** What one tool may do under the policy. */
export interface ToolRule {
  /** A person must approve each call (unless the tool is pre-approved). */
  readonly confirm: boolean;
  /** Canonical dirs the tool's path arguments must lie in; null = anywhere in the roots. */
  readonly paths: readonly string[] | null;
  /** Overall time budget in ms; undefined = the spec default; null = none (idle limit only). */
  readonly timeoutMs?: number | null;
}

/** Sampling requests from the server (off unless enabled, and never with tools). */
export interface SamplingPolicy {
  readonly enabled: boolean;
  /** Upper bound on `maxTokens`, whatever the server asks for. */
  readonly maxTokens: number;
}

/** A redaction pattern added by the operator. */
export interface CustomPattern {
  readonly id: string;
  readonly pattern: RegExp;
}

/** What the response analysis removes before a result reaches the agent. */
export interface RedactionPolicy {
  /** Absolute host paths (and file:// URIs) outside the roots. */
  readonly hostPaths: boolean;
  /** Token-like secrets (API keys, GitHub tokens, bearer tokens, AWS keys, private keys). */
  readonly secrets: boolean;
  readonly patterns: readonly CustomPattern[];
}

/** A validated host policy. */
export interface HostPolicy {
  /** Sent as `capability_profile_id` with every call and stored with every event. */
  readonly id: string;
  readonly description: string;
  /** Canonical directories the host lets calls touch; also what `roots/list` answers. */
  readonly roots: readonly string[];
  readonly tools: ReadonlyMap<string, ToolRule>;
  /** Tools whose confirmation the operator gave in advance. */
  readonly preApproved: ReadonlySet<string>;
  /** Declare the `roots` client capability and answer `roots/list`. */
  readonly rootsCapability: boolean;
  readonly sampling: SamplingPolicy;
  /** Declare `elicitation` (answered with decline unless a person is asked). */
  readonly elicitation: boolean;
  readonly redaction: RedactionPolicy;
  /** A call without an overall timeout fails after this long without a response or progress. */
  readonly idleTimeoutMs: number;
}

const POLICY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const TOOL_NAME = /^[A-Za-z0-9._\/-]{1,128}$/;
const MAX_TIMEOUT_S = 86_400;
const DEFAULT_IDLE_TIMEOUT_MS = 300_000;
const DEFAULT_SAMPLING_MAX_TOKENS = 1_024;

const POLICY_KEYS = new Set([
  "$schema",
  "policy_id",
  "description",
  "roots",
  "tools",
  "pre_approved",
  "roots_capability",
  "sampling",
  "elicitation",
  "redaction",
  "idle_timeout_s",
]);

/** Redaction on both counts, no custom patterns. */
export const DEFAULT_REDACTION: RedactionPolicy = Object.freeze({
  hostPaths: true,
  secrets: true,
  patterns: [],
});

function invalid(field: string, message: string, value: JsonValue = null): CobreError {
  return new CobreError(errorRecord(
    "SchemaViolation",
    `Host policy field "${field}" ${message}`,
    { field, value },
    "Fix the policy file; its format is documented in src/host/policy.ts.",
  ));
}

function checkKeys(value: Record<string, unknown>, allowed: readonly string[], field: string) {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw invalid(`${field}.${key}`, "is not a policy field", key);
  }
}

function absolutePaths(value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw invalid(field, "must be an array of absolute paths");
  return value.map((item) => {
    if (typeof item !== "string" || !item.startsWith("/") || item.includes("\0")) {
      throw invalid(field, `has a non-absolute entry ${JSON.stringify(item)}`, scalarOrNull(item));
    }
    return item;
  });
}

function seconds(value: unknown, field: string): number {
  if (typeof value !== "number" || !(value > 0) || value > MAX_TIMEOUT_S) {
    throw invalid(
      field,
      `must be a number of seconds in (0, ${MAX_TIMEOUT_S}]`,
      scalarOrNull(value),
    );
  }
  return Math.round(value * 1000);
}

function bool(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw invalid(field, "must be true or false", scalarOrNull(value));
  }
  return value;
}

function parseToolRule(name: string, value: unknown): ToolRule {
  const field = `tools.${name}`;
  if (!isObject(value)) throw invalid(field, "must be an object");
  checkKeys(value, ["confirm", "paths", "timeout_s"], field);
  const rule: { confirm: boolean; paths: string[] | null; timeoutMs?: number | null } = {
    confirm: bool(value.confirm, `${field}.confirm`, false),
    paths: value.paths === undefined ? null : absolutePaths(value.paths, `${field}.paths`),
  };
  if (value.timeout_s === null) rule.timeoutMs = null;
  else if (value.timeout_s !== undefined) {
    rule.timeoutMs = seconds(value.timeout_s, `${field}.timeout_s`);
  }
  return Object.freeze(rule);
}

function parseTools(value: unknown): Map<string, ToolRule> {
  if (!isObject(value)) throw invalid("tools", "must be an object of tool name to rule");
  const tools = new Map<string, ToolRule>();
  for (const [name, rule] of Object.entries(value)) {
    if (!TOOL_NAME.test(name)) throw invalid("tools", `has an invalid tool name "${name}"`, name);
    tools.set(name, parseToolRule(name, rule));
  }
  return tools;
}

function parseSampling(value: unknown): SamplingPolicy {
  if (value === undefined) return { enabled: false, maxTokens: DEFAULT_SAMPLING_MAX_TOKENS };
  if (!isObject(value)) throw invalid("sampling", "must be an object");
  checkKeys(value, ["enabled", "max_tokens"], "sampling");
  const maxTokens = value.max_tokens ?? DEFAULT_SAMPLING_MAX_TOKENS;
  if (typeof maxTokens !== "number" || !Number.isInteger(maxTokens) || maxTokens < 1) {
    throw invalid("sampling.max_tokens", "must be a positive integer", scalarOrNull(maxTokens));
  }
  return { enabled: bool(value.enabled, "sampling.enabled", false), maxTokens };
}

function parseRedaction(value: unknown): RedactionPolicy {
  if (value === undefined) return DEFAULT_REDACTION;
  if (!isObject(value)) throw invalid("redaction", "must be an object");
  checkKeys(value, ["host_paths", "secrets", "patterns"], "redaction");
  const patterns: CustomPattern[] = [];
  if (value.patterns !== undefined) {
    if (!Array.isArray(value.patterns)) throw invalid("redaction.patterns", "must be an array");
    for (const item of value.patterns) {
      if (!isObject(item) || typeof item.id !== "string" || typeof item.regex !== "string") {
        throw invalid("redaction.patterns", "entries must be {id, regex} strings");
      }
      checkKeys(item, ["id", "regex"], "redaction.patterns[]");
      if (!POLICY_ID.test(item.id)) {
        throw invalid("redaction.patterns", `has an invalid id "${item.id}"`, item.id);
      }
      let pattern: RegExp;
      try {
        pattern = new RegExp(item.regex, "g");
      } catch {
        throw invalid("redaction.patterns", `has an invalid regex for "${item.id}"`, item.id);
      }
      // A pattern that matches the empty string would "redact" between every character.
      if (pattern.test("")) {
        throw invalid("redaction.patterns", `"${item.id}" matches the empty string`, item.id);
      }
      patterns.push({ id: item.id, pattern });
    }
  }
  return {
    hostPaths: bool(value.host_paths, "redaction.host_paths", true),
    secrets: bool(value.secrets, "redaction.secrets", true),
    patterns,
  };
}

/**
 * Validates a parsed policy file. Paths are returned as written; `loadHostPolicy` (or
 * `canonicalisePolicy`) resolves them. Throws `CobreError` (`SchemaViolation`) naming the field.
 */
export function parseHostPolicy(json: unknown): HostPolicy {
  if (!isObject(json)) throw invalid("(root)", "must be a JSON object");
  checkKeys(json, [...POLICY_KEYS], "(root)");
  const id = json.policy_id;
  if (typeof id !== "string" || !POLICY_ID.test(id)) {
    throw invalid("policy_id", "must be 1-64 characters of A-Z a-z 0-9 . _ -", scalarOrNull(id));
  }
  const description = json.description ?? "";
  if (typeof description !== "string") throw invalid("description", "must be a string");
  const roots = absolutePaths(json.roots, "roots");
  if (roots.length === 0) throw invalid("roots", "needs at least one directory");
  const tools = parseTools(json.tools);
  const preApproved = new Set<string>();
  if (json.pre_approved !== undefined) {
    if (!Array.isArray(json.pre_approved)) throw invalid("pre_approved", "must be an array");
    for (const name of json.pre_approved) {
      if (typeof name !== "string" || !tools.has(name)) {
        throw invalid("pre_approved", `names ${JSON.stringify(name)}, which is not in tools`);
      }
      preApproved.add(name);
    }
  }
  return Object.freeze({
    id,
    description,
    roots,
    tools,
    preApproved,
    rootsCapability: bool(json.roots_capability, "roots_capability", true),
    sampling: parseSampling(json.sampling),
    elicitation: bool(json.elicitation, "elicitation", false),
    redaction: parseRedaction(json.redaction),
    idleTimeoutMs: json.idle_timeout_s === undefined
      ? DEFAULT_IDLE_TIMEOUT_MS
      : seconds(json.idle_timeout_s, "idle_timeout_s"),
  });
}

/**
 * Resolves every directory of the policy to its canonical form and checks that each tool's
 * `paths` lie inside the roots. Throws `CobreError` when a directory is missing.
 */
export async function canonicalisePolicy(
  policy: HostPolicy,
  realPath: (path: string) => Promise<string> = Deno.realPath,
): Promise<HostPolicy> {
  const resolve = async (path: string, field: string) => {
    try {
      return await realPath(path);
    } catch {
      throw invalid(field, `entry "${path}" does not exist`, path);
    }
  };
  const roots: string[] = [];
  for (const root of policy.roots) {
    const canonical = await resolve(root, "roots");
    if (!roots.includes(canonical)) roots.push(canonical);
  }
  const tools = new Map<string, ToolRule>();
  for (const [name, rule] of policy.tools) {
    if (rule.paths === null) {
      tools.set(name, rule);
      continue;
    }
    const paths: string[] = [];
    for (const path of rule.paths) {
      const canonical = await resolve(path, `tools.${name}.paths`);
      if (!roots.some((root) => isWithinDir(canonical, root))) {
        throw invalid(`tools.${name}.paths`, `entry "${path}" is outside the roots`, path);
      }
      paths.push(canonical);
    }
    tools.set(name, Object.freeze({ ...rule, paths }));
  }
  return Object.freeze({ ...policy, roots, tools });
}

/** Reads, validates and canonicalises a policy file; throws `CobreError` on any problem. */
export async function loadHostPolicy(path: string): Promise<HostPolicy> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    throw new CobreError(errorRecord("MissingFile", `Host policy file "${path}" cannot be read`, {
      path,
    }));
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CobreError(errorRecord("ParseError", `Host policy file "${path}" is not valid JSON`, {
      path,
      detail: messageOf(error),
    }));
  }
  return await canonicalisePolicy(parseHostPolicy(json));
}

/**
 * The policy the `host` command uses without a file: the read-only Cobre tools anywhere in the
 * roots and, with `write`, the write tools too, each needing a person's confirmation unless
 * pre-approved. `roots` must already be canonical.
 */
export function defaultHostPolicy(options: {
  roots: readonly string[];
  write: boolean;
  preApprove?: readonly string[];
}): HostPolicy {
  const tools = new Map<string, ToolRule>();
  for (const name of READ_ONLY_TOOLS) tools.set(name, { confirm: false, paths: null });
  if (options.write) {
    for (const name of WRITE_TOOLS) tools.set(name, { confirm: true, paths: null });
  }
  return Object.freeze({
    id: options.write ? "host-read-write" : "host-read-only",
    description: options.write
      ? "Cobre tools in the allowed dirs; writes need confirmation."
      : "Read-only Cobre tools in the allowed dirs.",
    roots: [...options.roots],
    tools,
    preApproved: new Set((options.preApprove ?? []).filter((name) => tools.has(name))),
    rootsCapability: true,
    sampling: { enabled: false, maxTokens: DEFAULT_SAMPLING_MAX_TOKENS },
    elicitation: false,
    redaction: DEFAULT_REDACTION,
    idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS,
  });
}
