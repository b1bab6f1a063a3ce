/**
 * Typed field access on parsed JSON (validation layer 2). Each read either returns a value of the
 * expected type or records exactly one precise record (SchemaViolation for a missing field,
 * TypeMismatch for a wrong type, OutOfRange, InvalidEnum) naming the file, the entity and the
 * field, and marks the reader as failed so callers can skip later checks on broken entities.
 *
 * @module
 */
import { isObject, type JsonValue } from "../common/mod.ts";
import type { Issues } from "./issues.ts";

/** Numeric limits; exclusive flags turn `min`/`max` into strict bounds. */
export interface Range {
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  integer?: boolean;
}

/** JSON type name as an agent would say it. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function describeRange(range: Range): string {
  const parts: string[] = [];
  if (range.min !== undefined) parts.push(`${range.minExclusive ? ">" : ">="} ${range.min}`);
  if (range.max !== undefined) parts.push(`${range.maxExclusive ? "<" : "<="} ${range.max}`);
  return parts.join(" and ");
}

/** Shared failure flag of a reader and the readers derived from it. */
interface FailureFlag {
  failed: boolean;
}

/** Reads fields of one JSON object, recording problems against `file` and `label`. */
export class JsonReader {
  readonly #flag: FailureFlag;

  private constructor(
    readonly issues: Issues,
    readonly file: string,
    readonly value: Record<string, unknown>,
    /** Dotted path of this object inside the entity ("" for the entity itself). */
    readonly path: string,
    /** How messages name the entity: "hydro 3", "stages[2]", or "" for file-level objects. */
    readonly label: string,
    readonly entityId: JsonValue,
    flag: FailureFlag,
  ) {
    this.#flag = flag;
  }

  /** Reader for a file's top-level value; records SchemaViolation when it is not an object. */
  static root(issues: Issues, file: string, value: unknown): JsonReader | null {
    if (!isObject(value)) {
      issues.error(
        "SchemaViolation",
        `${file}: the top-level value must be a JSON object, found ${jsonTypeOf(value)}`,
        { file, entity_id: null, field: "", expected: "object", actual: jsonTypeOf(value) },
        `Wrap the content of ${file} in a JSON object as the Cobre case format defines.`,
      );
      return null;
    }
    return new JsonReader(issues, file, value, "", "", null, { failed: false });
  }

  /** True when any read through this reader (or its children) recorded an error. */
  get failed(): boolean {
    return this.#flag.failed;
  }

  /** Marks this entity as unusable without recording anything (the caller recorded it). */
  markFailed(): void {
    this.#flag.failed = true;
  }

  /** Full field path of `key` inside the entity. */
  fieldPath(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  /** Message prefix: `system/hydros.json: hydro 3 field "bus_id"`. */
  where(key: string): string {
    return `${this.file}: ${this.label ? `${this.label} ` : ""}field "${this.fieldPath(key)}"`;
  }

  /** True when `key` is present with a non-null value. */
  has(key: string): boolean {
    return this.value[key] !== undefined && this.value[key] !== null;
  }

  /** Raw value of `key`. */
  raw(key: string): unknown {
    return this.value[key];
  }

  /** Reader for an array element or nested entity, with its own label and failure flag. */
  entity(
    value: unknown,
    label: string,
    entityId: JsonValue,
    arrayPath: string,
    /** Path prefix for field names when the element has no entity of its own (config rules). */
    basePath = "",
  ): JsonReader | null {
    if (!isObject(value)) {
      this.issues.error(
        "TypeMismatch",
        `${this.file}: ${label} must be a JSON object, found ${jsonTypeOf(value)}`,
        {
          file: this.file,
          entity_id: entityId,
          field: arrayPath,
          expected_type: "object",
          actual_type: jsonTypeOf(value),
        },
        `Make every element of "${arrayPath}" a JSON object.`,
      );
      this.#flag.failed = true;
      return null;
    }
    return new JsonReader(this.issues, this.file, value, basePath, label, entityId, {
      failed: false,
    });
  }

  /** Renames this reader's entity once its id is known (messages say "hydro 3"). */
  relabel(label: string, entityId: JsonValue): JsonReader {
    return new JsonReader(
      this.issues,
      this.file,
      this.value,
      this.path,
      label,
      entityId,
      this.#flag,
    );
  }

  #missing(key: string, expected: string): undefined {
    this.#flag.failed = true;
    this.issues.error(
      "SchemaViolation",
      `${this.where(key)} is required but missing`,
      {
        file: this.file,
        entity_id: this.entityId,
        field: this.fieldPath(key),
        expected,
        actual: this.value[key] === null ? "null" : "absent",
      },
      `Add "${this.fieldPath(key)}" (${expected}) to ${
        this.label || "the object"
      } in ${this.file}.`,
    );
    return undefined;
  }

  #wrongType(key: string, expected: string): undefined {
    this.#flag.failed = true;
    const actual = jsonTypeOf(this.value[key]);
    this.issues.error(
      "TypeMismatch",
      `${this.where(key)} must be ${expected}, found ${actual}`,
      {
        file: this.file,
        entity_id: this.entityId,
        field: this.fieldPath(key),
        expected_type: expected,
        actual_type: actual,
      },
      `Write "${this.fieldPath(key)}" as ${expected}${
        actual === "string" ? " (without quotes)" : ""
      } in ${this.file}.`,
    );
    return undefined;
  }

  /** Records OutOfRange for `value` at `key` against `range`. */
  outOfRange(key: string, value: number, range: Range, why?: string): void {
    this.#flag.failed = true;
    const bounds = describeRange(range);
    this.issues.error(
      "OutOfRange",
      `${this.where(key)} is ${value}, but must be ${why ?? bounds}`,
      {
        file: this.file,
        entity_id: this.entityId,
        field: this.fieldPath(key),
        value: Number.isFinite(value) ? value : String(value),
        min: range.min ?? null,
        max: range.max ?? null,
      },
      `Set "${this.fieldPath(key)}" to a value ${bounds || "in range"} in ${this.file}.`,
    );
  }

  #checkNumber(key: string, range: Range): number | undefined {
    const value = this.value[key];
    if (typeof value !== "number") {
      return this.#wrongType(key, range.integer ? "integer" : "number");
    }
    if (range.integer && !Number.isInteger(value)) return this.#wrongType(key, "integer");
    if (!Number.isFinite(value)) {
      this.outOfRange(key, value, range, "a finite number");
      return undefined;
    }
    const belowMin = range.min !== undefined &&
      (range.minExclusive ? value <= range.min : value < range.min);
    const aboveMax = range.max !== undefined &&
      (range.maxExclusive ? value >= range.max : value > range.max);
    if (belowMin || aboveMax) {
      this.outOfRange(key, value, range);
      return undefined;
    }
    return value;
  }

  /** A required number (or integer with `range.integer`). */
  reqNumber(key: string, range: Range = {}): number | undefined {
    if (!this.has(key)) return this.#missing(key, range.integer ? "integer" : "number");
    return this.#checkNumber(key, range);
  }

  /** An optional number: null when absent or null, undefined when invalid (recorded). */
  optNumber(key: string, range: Range = {}): number | null | undefined {
    if (!this.has(key)) return null;
    return this.#checkNumber(key, range);
  }

  /** A required string. */
  reqString(key: string): string | undefined {
    if (!this.has(key)) return this.#missing(key, "string");
    const value = this.value[key];
    return typeof value === "string" ? value : this.#wrongType(key, "string");
  }

  /** An optional string: null when absent or null. */
  optString(key: string): string | null | undefined {
    if (!this.has(key)) return null;
    const value = this.value[key];
    return typeof value === "string" ? value : this.#wrongType(key, "string");
  }

  /** A boolean with a default for absent or null. */
  bool(key: string, fallback: boolean): boolean {
    if (!this.has(key)) return fallback;
    const value = this.value[key];
    if (typeof value === "boolean") return value;
    this.#wrongType(key, "boolean");
    return fallback;
  }

  /** A string enum; absent or null gives `fallback` (pass undefined to make it required). */
  enumOf<T extends string>(
    key: string,
    allowed: readonly T[],
    fallback: T | undefined,
  ): T | undefined {
    if (!this.has(key)) {
      return fallback === undefined ? this.#missing(key, `one of ${allowed.join(", ")}`) : fallback;
    }
    const value = this.value[key];
    if (typeof value !== "string") return this.#wrongType(key, "string");
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.#flag.failed = true;
    this.issues.error(
      "InvalidEnum",
      `${this.where(key)} is "${value}", which is not one of ${
        allowed.map((a) => `"${a}"`).join(", ")
      }`,
      {
        file: this.file,
        entity_id: this.entityId,
        field: this.fieldPath(key),
        value,
        allowed_values: [...allowed],
      },
      `Use one of ${allowed.map((a) => `"${a}"`).join(", ")} for "${this.fieldPath(key)}".`,
    );
    return undefined;
  }

  /** A nested object sharing this reader's entity and failure flag; null when absent. */
  child(key: string, required: boolean): JsonReader | null {
    if (!this.has(key)) {
      if (required) this.#missing(key, "object");
      return null;
    }
    const value = this.value[key];
    if (!isObject(value)) {
      this.#wrongType(key, "object");
      return null;
    }
    return new JsonReader(
      this.issues,
      this.file,
      value,
      this.fieldPath(key),
      this.label,
      this.entityId,
      this.#flag,
    );
  }

  /** An array field; null when absent (recorded if required) or not an array (recorded). */
  array(key: string, required: boolean): unknown[] | null {
    if (!this.has(key)) {
      if (required) this.#missing(key, "array");
      return null;
    }
    const value = this.value[key];
    if (!Array.isArray(value)) {
      this.#wrongType(key, "array");
      return null;
    }
    return value;
  }

  /** An array of numbers (each checked against `range`); null when absent or invalid. */
  numberArray(key: string, required: boolean, range: Range = {}): number[] | null {
    const items = this.array(key, required);
    if (items === null) return null;
    const out: number[] = [];
    items.forEach((item, i) => {
      const probe = new JsonReader(
        this.issues,
        this.file,
        { [`${key}[${i}]`]: item },
        this.path,
        this.label,
        this.entityId,
        this.#flag,
      );
      const value = probe.reqNumber(`${key}[${i}]`, range);
      if (value !== undefined) out.push(value);
    });
    return out.length === items.length ? out : null;
  }
}
