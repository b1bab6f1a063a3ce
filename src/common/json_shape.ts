/**
 * Shape checks for values parsed from untrusted JSON (config and policy files, protocol
 * messages) before any field is read.
 *
 * @module
 */
import type { JsonValue } from "./error_record.ts";

/** True for a JSON object: not null and not an array. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `value` when it is a string, number or boolean, else null: what an error may quote of it. */
export function scalarOrNull(value: unknown): JsonValue {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
    ? value
    : null;
}
