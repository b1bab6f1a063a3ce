/**
 * Validates tool arguments (and, defensively, our own results) against the tool's JSON Schemas
 * with ajv. MCP 2025-11-25 treats bad arguments as a tool execution error, so a failure becomes an
 * `InvalidArgument` record the agent can act on, never a JSON-RPC error.
 *
 * @module
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { type ErrorRecord, errorRecord } from "../common/mod.ts";
import type { JsonObjectSchema } from "./types.ts";

/** Validated arguments (defaults from the schema filled in) or the record explaining why not. */
export type ArgumentCheck =
  | { ok: true; args: Record<string, unknown> }
  | { ok: false; error: ErrorRecord };

/** Compiled validators of one tool. */
export interface ToolValidators {
  checkArguments(args: unknown): ArgumentCheck;
  /** Null when `result` matches the output schema, else a short description of the mismatch. */
  checkResult(result: unknown): string | null;
}

// MCP tool schemas are JSON Schema 2020-12. `strict: false` because the spec schemas carry
// annotations ajv's strict mode rejects (e.g. `type: ["object", "null"]` with `properties`).
function newAjv(): Ajv2020 {
  return new Ajv2020({ strict: false, allErrors: true, useDefaults: true });
}

function pointerToName(instancePath: string): string {
  return instancePath.replace(/^\//, "").replaceAll("/", ".").replaceAll("~1", "/").replaceAll(
    "~0",
    "~",
  );
}

/** Turns one ajv error into a sentence about the argument, without echoing its value. */
export function describeProblem(error: ErrorObject): { argument: string; problem: string } {
  const at = pointerToName(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required": {
      const name = [at, String(params.missingProperty)].filter((p) => p !== "").join(".");
      return { argument: name, problem: "is required" };
    }
    case "additionalProperties": {
      const name = [at, String(params.additionalProperty)].filter((p) => p !== "").join(".");
      return { argument: name, problem: "is not a known argument" };
    }
    case "enum": {
      const allowed = Array.isArray(params.allowedValues)
        ? params.allowedValues.map((v) => JSON.stringify(v)).join(", ")
        : "";
      return { argument: at || "(arguments)", problem: `must be one of ${allowed}` };
    }
    default:
      return { argument: at || "(arguments)", problem: error.message ?? "is invalid" };
  }
}

function describeExpected(schema: JsonObjectSchema): string {
  const names = Object.keys(schema.properties ?? {});
  if (names.length === 0) return "This tool takes no arguments: pass {}.";
  const required = new Set(schema.required ?? []);
  const listed = names.map((n) => (required.has(n) ? `${n} (required)` : n)).join(", ");
  return `Expected arguments: ${listed}. See the tool's inputSchema in tools/list.`;
}

/**
 * Compiled validators by schema object. Every session of a process (one server per HTTP
 * session) serves the same tool definitions, and compiling them costs ~100 ms per server: the
 * checks are stateless, so sessions share them. Schemas are constants, never mutated.
 */
const compiled = new WeakMap<
  JsonObjectSchema,
  Map<string, { outputSchema: JsonObjectSchema; validators: ToolValidators }>
>();

/** Compiles both schemas of a tool once; call the returned checks per request. */
export function compileToolValidators(
  toolName: string,
  inputSchema: JsonObjectSchema,
  outputSchema: JsonObjectSchema,
): ToolValidators {
  const byName = compiled.get(inputSchema) ?? new Map();
  const hit = byName.get(toolName);
  if (hit && hit.outputSchema === outputSchema) return hit.validators;
  const validators = compileUncached(toolName, inputSchema, outputSchema);
  byName.set(toolName, { outputSchema, validators });
  compiled.set(inputSchema, byName);
  return validators;
}

function compileUncached(
  toolName: string,
  inputSchema: JsonObjectSchema,
  outputSchema: JsonObjectSchema,
): ToolValidators {
  const ajv = newAjv();
  const validateInput: ValidateFunction = ajv.compile(inputSchema);
  const validateOutput: ValidateFunction = ajv.compile(outputSchema);
  const expected = describeExpected(inputSchema);
  return {
    checkArguments(args: unknown): ArgumentCheck {
      // Copy so filling in defaults never mutates the request object the recorder may hold.
      const candidate = args === undefined ? {} : structuredClone(args);
      if (validateInput(candidate)) {
        return { ok: true, args: candidate as Record<string, unknown> };
      }
      const problems = (validateInput.errors ?? []).map(describeProblem);
      const first = problems[0];
      const headline = first ? `argument "${first.argument}" ${first.problem}` : "invalid";
      return {
        ok: false,
        error: errorRecord(
          "InvalidArgument",
          `Invalid arguments for ${toolName}: ${headline}.`,
          { tool: toolName, problems: problems.map((p) => ({ ...p })) },
          expected,
        ),
      };
    },
    checkResult(result: unknown): string | null {
      if (validateOutput(result)) return null;
      return ajv.errorsText(validateOutput.errors);
    },
  };
}
