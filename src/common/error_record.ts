/**
 * Structured error records shared by every layer, following the Cobre structured-output spec
 * (`cobre-docs` `src/specs/interfaces/structured-output.md` SS2).
 *
 * @module
 */

/** The 14 validation kinds of SS2.3.1, in registry order. */
export const VALIDATION_KINDS = [
  "MissingFile",
  "ParseError",
  "SchemaViolation",
  "TypeMismatch",
  "OutOfRange",
  "InvalidEnum",
  "DuplicateId",
  "MissingReference",
  "CoverageMismatch",
  "StageMismatch",
  "IncompatibleSettings",
  "PhysicalConstraint",
  "CapacityViolation",
  "PenaltyConsistency",
] as const;

/** The 6 runtime kinds of SS2.3.2. */
export const RUNTIME_KINDS = [
  "SolverFailure",
  "MpiError",
  "CheckpointFailed",
  "OutputCorrupted",
  "OutputNotFound",
  "IncompatibleRuns",
] as const;

export type ValidationKind = typeof VALIDATION_KINDS[number];
export type RuntimeKind = typeof RUNTIME_KINDS[number];

/**
 * Kinds this server adds for conditions the Cobre registry does not cover (protocol-level
 * refusals that still reach the agent as a record): a denied or timed-out call, a write refused
 * in read-only mode, a busy engine, a cancelled run.
 */
export const SERVER_KINDS = [
  "PermissionDenied",
  "WriteDisabled",
  "Timeout",
  "Busy",
  "Cancelled",
  "InvalidArgument",
  "InternalError",
] as const;

export type ServerKind = typeof SERVER_KINDS[number];
export type ErrorKind = ValidationKind | RuntimeKind | ServerKind;

/** A JSON value as it may appear in an error record's context. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** `{ kind, message, context, suggestion }`: what an agent sees when something is wrong. */
export interface ErrorRecord {
  kind: ErrorKind;
  message: string;
  context: Record<string, JsonValue>;
  suggestion: string | null;
}

/** Builds an error record; `suggestion` defaults to null as the spec allows. */
export function errorRecord(
  kind: ErrorKind,
  message: string,
  context: Record<string, JsonValue> = {},
  suggestion: string | null = null,
): ErrorRecord {
  return { kind, message, context, suggestion };
}

/**
 * An exception that carries an error record. Layers throw it where continuing makes no sense;
 * the server turns it into an `isError` tool result with the record as its content.
 */
export class CobreError extends Error {
  readonly record: ErrorRecord;

  constructor(record: ErrorRecord) {
    super(record.message);
    this.name = "CobreError";
    this.record = record;
  }
}

/** True when `value` is a CobreError (also across Worker boundaries, where classes are lost). */
export function isCobreError(value: unknown): value is CobreError {
  return value instanceof CobreError;
}

/** The message of a thrown value (an `Error`'s message, anything else as text). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
