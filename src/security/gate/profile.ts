/**
 * Capability profiles: what a session may call. Two are built in (`read-only`, the default, and
 * `read-write`); an operator can write more as JSON files.
 *
 * Profile file schema (also exported as `PROFILE_JSON_SCHEMA`):
 *
 * ```json
 * {
 *   "profile_id": "planner-sin",            // required, 1-64 of [A-Za-z0-9._-], not a built-in id
 *   "description": "SIN studies only",      // optional
 *   "tools": ["cobre/validate", "cobre/query-results"], // required, spec tool names, may be empty
 *   "path_prefixes": ["/data/cases/sin"],  // optional absolute dirs; omitted = what the sandbox allows
 *   "resources": true,                      // optional, default true: cobre:// resource reads
 *   "prompts": true,                        // optional, default true: prompts/get
 *   "timeouts_s": { "cobre/validate": 30 } // optional, per listed tool, 0 < s <= 86400
 * }
 * ```
 *
 * Unknown keys, unknown tool names and relative prefixes are rejected: a typo in a security file
 * must fail loudly, never widen or silently narrow what a session may do.
 *
 * @module
 */
import {
  CobreError,
  errorRecord,
  type JsonValue,
  messageOf,
  scalarOrNull,
} from "../../common/mod.ts";
import {
  COBRE_TOOLS,
  type CobreToolName,
  isCobreTool,
  READ_ONLY_TOOLS,
  SPEC_TIMEOUTS_MS,
} from "./tools.ts";

/** What the runtime granted: the server reads it from `Deno.permissions`, never from a flag. */
export type ServerMode = "read-only" | "read-write";

/** A validated capability profile. */
export interface CapabilityProfile {
  readonly id: string;
  readonly description: string;
  readonly tools: ReadonlySet<string>;
  /** Canonical absolute directories; null means any path the sandbox allows. */
  readonly pathPrefixes: readonly string[] | null;
  readonly resources: boolean;
  readonly prompts: boolean;
  /** Per-tool timeout in ms; null = none (cancellable only). */
  readonly timeoutsMs: Readonly<Record<string, number | null>>;
}

const BUILTIN_IDS = new Set(["read-only", "read-write"]);
const PROFILE_ID = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_TIMEOUT_S = 86_400;
const PROFILE_KEYS = new Set([
  "$schema",
  "profile_id",
  "description",
  "tools",
  "path_prefixes",
  "resources",
  "prompts",
  "timeouts_s",
]);

/** The default profile: the 8 read-only tools, resources and prompts. */
export const READ_ONLY_PROFILE: CapabilityProfile = Object.freeze({
  id: "read-only",
  description: "Read-only tools, resources and prompts (the default).",
  tools: new Set<string>(READ_ONLY_TOOLS),
  pathPrefixes: null,
  resources: true,
  prompts: true,
  timeoutsMs: { ...SPEC_TIMEOUTS_MS },
});

/** All 10 tools; usable only when the runtime granted write access. */
export const READ_WRITE_PROFILE: CapabilityProfile = Object.freeze({
  id: "read-write",
  description: "All tools, including training and export.",
  tools: new Set<string>(COBRE_TOOLS),
  pathPrefixes: null,
  resources: true,
  prompts: true,
  timeoutsMs: { ...SPEC_TIMEOUTS_MS },
});

/** JSON Schema (draft 2020-12) of a profile file, for editors and documentation. */
export const PROFILE_JSON_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "cobre-mcp capability profile",
  type: "object",
  additionalProperties: false,
  required: ["profile_id", "tools"],
  properties: {
    $schema: { type: "string" },
    profile_id: { type: "string", pattern: PROFILE_ID.source, not: { enum: [...BUILTIN_IDS] } },
    description: { type: "string" },
    tools: { type: "array", uniqueItems: true, items: { enum: [...COBRE_TOOLS] } },
    path_prefixes: { type: "array", items: { type: "string", pattern: "^/" } },
    resources: { type: "boolean" },
    prompts: { type: "boolean" },
    timeouts_s: {
      type: "object",
      propertyNames: { enum: [...COBRE_TOOLS] },
      additionalProperties: { type: "number", exclusiveMinimum: 0, maximum: MAX_TIMEOUT_S },
    },
  },
} as const;

function invalid(field: string, message: string, value: JsonValue = null): CobreError {
  return new CobreError(
    errorRecord(
      "SchemaViolation",
      `Capability profile field "${field}" ${message}`,
      { field, value },
      "Fix the profile file; see PROFILE_JSON_SCHEMA in src/security/gate/profile.ts.",
    ),
  );
}

function parseTools(value: unknown): Set<string> {
  if (!Array.isArray(value)) throw invalid("tools", "must be an array of tool names");
  const tools = new Set<string>();
  for (const item of value) {
    if (typeof item !== "string" || !isCobreTool(item)) {
      throw invalid("tools", `names an unknown tool ${JSON.stringify(item)}`, scalarOrNull(item));
    }
    if (tools.has(item)) throw invalid("tools", `lists "${item}" twice`, item);
    tools.add(item);
  }
  return tools;
}

function parsePrefixes(value: unknown): string[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value)) throw invalid("path_prefixes", "must be an array of absolute paths");
  return value.map((item) => {
    if (typeof item !== "string" || !item.startsWith("/") || item.includes("\0")) {
      throw invalid("path_prefixes", `has a non-absolute entry ${JSON.stringify(item)}`);
    }
    return item;
  });
}

function parseTimeouts(value: unknown, tools: ReadonlySet<string>): Record<string, number | null> {
  const timeouts: Record<string, number | null> = { ...SPEC_TIMEOUTS_MS };
  if (value === undefined) return timeouts;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid("timeouts_s", "must be an object of tool name to seconds");
  }
  for (const [tool, seconds] of Object.entries(value)) {
    if (!tools.has(tool)) {
      throw invalid("timeouts_s", `names "${tool}", which is not in tools`, tool);
    }
    if (typeof seconds !== "number" || !(seconds > 0) || seconds > MAX_TIMEOUT_S) {
      throw invalid(`timeouts_s.${tool}`, `must be a number of seconds in (0, ${MAX_TIMEOUT_S}]`);
    }
    timeouts[tool] = Math.round(seconds * 1000);
  }
  return timeouts;
}

function optionalBoolean(value: unknown, field: string): boolean {
  if (value === undefined) return true;
  if (typeof value !== "boolean") {
    throw invalid(field, "must be true or false", scalarOrNull(value));
  }
  return value;
}

/**
 * Validates a parsed profile file. Throws `CobreError` (`SchemaViolation`) naming the bad field.
 * Path prefixes are returned as written; `loadProfileFile` canonicalises them.
 */
export function parseProfile(json: unknown): CapabilityProfile {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw invalid("(root)", "must be a JSON object");
  }
  const fields = json as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!PROFILE_KEYS.has(key)) throw invalid(key, "is not a profile field", key);
  }
  const id = fields.profile_id;
  if (typeof id !== "string" || !PROFILE_ID.test(id)) {
    throw invalid("profile_id", "must be 1-64 characters of A-Z a-z 0-9 . _ -", scalarOrNull(id));
  }
  if (BUILTIN_IDS.has(id)) throw invalid("profile_id", `"${id}" is reserved for a built-in`, id);
  const description = fields.description ?? "";
  if (typeof description !== "string") throw invalid("description", "must be a string");
  const tools = parseTools(fields.tools);
  return Object.freeze({
    id,
    description,
    tools,
    pathPrefixes: parsePrefixes(fields.path_prefixes),
    resources: optionalBoolean(fields.resources, "resources"),
    prompts: optionalBoolean(fields.prompts, "prompts"),
    timeoutsMs: parseTimeouts(fields.timeouts_s, tools),
  });
}

/** What loading a profile file needs from the outside world (injected to keep the Gate pure). */
export interface ProfileFileDeps {
  readTextFile(path: string): Promise<string>;
  /** Resolves symlinks; the prefixes are compared against canonical paths. */
  realPath(path: string): Promise<string>;
}

/** Reads, validates and canonicalises a profile file; throws `CobreError` on any problem. */
export async function loadProfileFile(
  path: string,
  deps: ProfileFileDeps,
): Promise<CapabilityProfile> {
  let text: string;
  try {
    text = await deps.readTextFile(path);
  } catch {
    throw new CobreError(
      errorRecord("MissingFile", `Capability profile file "${path}" cannot be read`, { path }),
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CobreError(
      errorRecord("ParseError", `Capability profile file "${path}" is not valid JSON`, {
        path,
        detail: messageOf(error),
      }),
    );
  }
  const profile = parseProfile(json);
  if (profile.pathPrefixes === null) return profile;
  const canonical: string[] = [];
  for (const prefix of profile.pathPrefixes) {
    try {
      canonical.push(await deps.realPath(prefix));
    } catch {
      throw invalid("path_prefixes", `entry "${prefix}" does not exist`, prefix);
    }
  }
  return Object.freeze({ ...profile, pathPrefixes: canonical });
}

/**
 * The profile a session runs under. A profile file or `read-write` that lists write tools is still
 * bounded by the runtime: `decideToolCall` refuses writes while the server mode is read-only.
 * Choosing `read-write` on a read-only runtime is a configuration error, reported at start.
 */
export function selectProfile(
  choice: "read-only" | "read-write" | CapabilityProfile,
  mode: ServerMode,
): CapabilityProfile {
  if (choice === "read-only") return READ_ONLY_PROFILE;
  if (choice === "read-write") {
    if (mode !== "read-write") {
      throw new CobreError(
        errorRecord(
          "WriteDisabled",
          "The read-write profile needs write access, but the runtime granted none.",
          { profile_id: "read-write", server_mode: mode },
          "Start the server with --allow-write, or use the read-only profile.",
        ),
      );
    }
    return READ_WRITE_PROFILE;
  }
  return choice;
}

/** The timeout for `tool` under `profile`, in ms (null = none); unknown tools get none. */
export function toolTimeoutMs(profile: CapabilityProfile, tool: string): number | null {
  const value = profile.timeoutsMs[tool];
  if (value !== undefined) return value;
  return isCobreTool(tool) ? SPEC_TIMEOUTS_MS[tool as CobreToolName] : null;
}
