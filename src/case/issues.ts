/**
 * Collects the error and warning records found while reading and validating a case, so that one
 * pass reports every problem instead of stopping at the first.
 *
 * @module
 */
import {
  type ErrorRecord,
  errorRecord,
  type JsonValue,
  type ValidationKind,
} from "../common/mod.ts";

/** Validation layer (1..5) each validation kind belongs to (structured-output SS2.3.1). */
export const LAYER_OF_KIND: Record<ValidationKind, 1 | 2 | 3 | 4 | 5> = {
  MissingFile: 1,
  ParseError: 1,
  SchemaViolation: 2,
  TypeMismatch: 2,
  OutOfRange: 2,
  InvalidEnum: 2,
  DuplicateId: 2,
  MissingReference: 3,
  CoverageMismatch: 4,
  StageMismatch: 4,
  IncompatibleSettings: 5,
  PhysicalConstraint: 5,
  CapacityViolation: 5,
  PenaltyConsistency: 5,
};

/**
 * A file with a systematic problem (a null in every row of a million-row Parquet file) would
 * otherwise drown the report; past this many records of one kind per file the rest are counted
 * and summarised in one closing record.
 */
const MAX_RECORDS_PER_FILE_AND_KIND = 25;

/** Accumulates validation records; `finish()` returns them sorted by layer. */
export class Issues {
  readonly #errors: ErrorRecord[] = [];
  readonly #warnings: ErrorRecord[] = [];
  readonly #counts = new Map<string, number>();

  /** Records an error of a validation kind. */
  error(
    kind: ValidationKind,
    message: string,
    context: Record<string, JsonValue>,
    suggestion: string | null,
  ): void {
    if (this.#admit(kind, context)) {
      this.#errors.push(errorRecord(kind, message, context, suggestion));
    }
  }

  /** Records an error record produced elsewhere (e.g. a sandbox refusal), unchanged. */
  passthrough(record: ErrorRecord): void {
    const kind = record.kind as ValidationKind;
    if (this.#admit(kind, record.context)) this.#errors.push(record);
  }

  /** Records a warning (PhysicalConstraint is the only kind the spec allows as a warning). */
  warn(message: string, context: Record<string, JsonValue>, suggestion: string | null): void {
    if (this.#admit("PhysicalConstraint", { ...context, severity: "warning" })) {
      this.#warnings.push(errorRecord("PhysicalConstraint", message, context, suggestion));
    }
  }

  /** True when no error has been recorded so far. */
  get clean(): boolean {
    return this.#errors.length === 0 && this.#suppressedErrors() === 0;
  }

  /** Number of errors recorded so far (including suppressed ones). */
  get errorCount(): number {
    return this.#errors.length + this.#suppressedErrors();
  }

  /** Final lists: errors sorted by layer (stable), with summaries for suppressed records. */
  finish(): { errors: ErrorRecord[]; warnings: ErrorRecord[] } {
    const errors = [...this.#errors];
    const warnings = [...this.#warnings];
    for (const [key, count] of this.#counts) {
      const extra = count - MAX_RECORDS_PER_FILE_AND_KIND;
      if (extra <= 0) continue;
      const [file, kind, severity] = key.split("\u0000") as [string, ValidationKind, string];
      const record = errorRecord(
        kind,
        `${file}: ${extra} more ${kind} ${
          severity === "warning" ? "warnings" : "errors"
        } like the ones above were not listed`,
        { file, omitted: extra },
        "Fix the listed problems first; the omitted ones are most likely the same mistake repeated.",
      );
      (severity === "warning" ? warnings : errors).push(record);
    }
    errors.sort((a, b) => layerOf(a) - layerOf(b));
    return { errors, warnings };
  }

  #admit(kind: ValidationKind, context: Record<string, JsonValue>): boolean {
    const file = typeof context.file === "string" ? context.file : "";
    const severity = context.severity === "warning" ? "warning" : "error";
    const key = `${file}\u0000${kind}\u0000${severity}`;
    const count = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.set(key, count);
    return count <= MAX_RECORDS_PER_FILE_AND_KIND;
  }

  #suppressedErrors(): number {
    let total = 0;
    for (const [key, count] of this.#counts) {
      if (!key.endsWith("\u0000error")) continue;
      total += Math.max(0, count - MAX_RECORDS_PER_FILE_AND_KIND);
    }
    return total;
  }
}

/** Layer of a record's kind; non-validation kinds (e.g. a sandbox refusal) count as layer 1. */
export function layerOf(record: ErrorRecord): number {
  return (LAYER_OF_KIND as Record<string, number>)[record.kind] ?? 1;
}
