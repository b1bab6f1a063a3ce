/**
 * What `cobre/run` settles before the engine starts: a valid case (a case validation rejects
 * never reaches the engine), the phases to run and the output directory.
 *
 * @module
 */
import { posix } from "node:path";
import { type CaseModel, loadCase, validateCase } from "../../case/mod.ts";
import {
  CobreError,
  type ErrorRecord,
  errorRecord,
  isCobreError,
  type JsonValue,
  type ReadAccess,
  VALIDATION_KINDS,
} from "../../common/mod.ts";
import type { ToolSandbox } from "../types.ts";

/** The `phases` argument of SS2.2. */
export type RunPhases = "training" | "simulation" | "both";

/** Validation records carried in a refusal's `context.errors`, at most. */
export const MAX_REPORTED_ERRORS = 50;

/**
 * The refusal for a case with validation errors: the first error's record (its kind, message
 * and suggestion), with `context.error_count` and every error (up to `MAX_REPORTED_ERRORS`) in
 * `context.errors`, so an agent can fix them all without another round trip.
 */
export function validationRefusal(errors: readonly ErrorRecord[]): ErrorRecord {
  const first = errors[0] ?? errorRecord("SchemaViolation", "The case failed validation");
  const listed = errors.slice(0, MAX_REPORTED_ERRORS).map((e) => ({ ...e }) as JsonValue);
  return {
    kind: first.kind,
    message: errors.length > 1
      ? `The case failed validation with ${errors.length} errors; the first: ${first.message}`
      : first.message,
    context: { ...first.context, error_count: errors.length, errors: listed },
    suggestion: first.suggestion ??
      "Fix the errors listed in context.errors (cobre/validate reports them too), then run again.",
  };
}

function isValidationError(error: unknown): error is CobreError {
  return isCobreError(error) &&
    (VALIDATION_KINDS as readonly string[]).includes(error.record.kind) &&
    error.record.kind !== "MissingFile";
}

/**
 * Loads `caseDir` as a model; when validation rejects it, throws `validationRefusal` of every
 * error. The full validation runs only on that failure path, so a valid case is read once.
 */
export async function loadValidCase(caseDir: string, access: ReadAccess): Promise<CaseModel> {
  try {
    return await loadCase(caseDir, access);
  } catch (error) {
    if (!isValidationError(error)) throw error;
    const report = await validateCase(caseDir, access);
    if (report.errors.length === 0) throw error;
    throw new CobreError(validationRefusal(report.errors));
  }
}

/**
 * The engine phases for `phases`. As with the `cobre` CLI, the case's config decides whether a
 * run simulates (`simulation.enabled`): "both" (the default) trains and then simulates if the case
 * enables it, "training" never simulates. The engine trains the policy it simulates in the same
 * run, so simulation alone (in Cobre: simulating a stored policy) is refused.
 */
export function selectPhases(
  phases: RunPhases | undefined,
  model: CaseModel,
): { training: boolean; simulation: boolean } {
  if (phases === "simulation") {
    throw new CobreError(errorRecord(
      "IncompatibleSettings",
      "Simulating a stored policy without training is not supported by this server",
      { phases: "simulation" },
      'Call cobre/run with phases "both": the policy is trained and then simulated in one run.',
    ));
  }
  return { training: true, simulation: phases !== "training" && model.config.simulation.enabled };
}

/**
 * Where a run of `caseDir` writes: `<case_dir>/output`, as the `cobre` CLI does by default (it
 * ignores `simulation.output_path` too). Checked for writing: inside the allowed directories,
 * with no symbolic link below them.
 */
export async function runOutputDir(sandbox: ToolSandbox, caseDir: string): Promise<string> {
  const target = posix.join(caseDir, "output");
  return sandbox.resolveForWrite ? await sandbox.resolveForWrite(target) : target;
}
