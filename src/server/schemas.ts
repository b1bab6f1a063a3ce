/**
 * JSON Schema pieces shared by tool definitions. The Cobre MCP spec's output schemas refer to
 * `#/$defs/ErrorRecord` without defining it; a schema a client compiles must resolve its own
 * references, so every output schema that uses it carries the definition below.
 *
 * @module
 */
import { RUNTIME_KINDS, SERVER_KINDS, VALIDATION_KINDS } from "../common/mod.ts";
import type { JsonObjectSchema } from "./types.ts";

/** Structured-output SS2.1: `{ kind, message, context, suggestion }`, kinds from the registry. */
export const ERROR_RECORD_SCHEMA = {
  type: "object",
  properties: {
    kind: {
      type: "string",
      enum: [...VALIDATION_KINDS, ...RUNTIME_KINDS, ...SERVER_KINDS],
      description: "Stable error kind from the Cobre error kind registry",
    },
    message: { type: "string", description: "Human-readable description" },
    context: { type: "object", description: "Where and why: file, entity_id, field, …" },
    suggestion: { type: ["string", "null"], description: "What to check next, or null" },
  },
  required: ["kind", "message", "context", "suggestion"],
} as const;

/** Adds `$defs.ErrorRecord` to an output schema, keeping any `$defs` it already has. */
export function withErrorRecordDefs(schema: JsonObjectSchema): JsonObjectSchema {
  const existing = typeof schema.$defs === "object" && schema.$defs !== null ? schema.$defs : {};
  return { ...schema, $defs: { ...existing, ErrorRecord: ERROR_RECORD_SCHEMA } };
}

/** Arguments of the tools that read one case directory. */
export type CaseDirArgs = { case_dir: string };

/** Input schema of the tools that read one case directory (`validate`, `inspect-case`, ...). */
export const CASE_DIR_INPUT_SCHEMA: JsonObjectSchema = {
  type: "object",
  properties: {
    case_dir: { type: "string", description: "Absolute path to the case directory" },
  },
  required: ["case_dir"],
  additionalProperties: false,
};
