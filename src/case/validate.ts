/**
 * Entry points: `validateCase` (the `cobre/validate` report) and `loadCase` (the typed model,
 * refusing a case that has any validation error). Both run the same five layers once.
 *
 * @module
 */
import { CobreError, type ErrorRecord, errorRecord, type ReadAccess } from "../common/mod.ts";
import { buildModel } from "./build.ts";
import { checkCoverage } from "./check_coverage.ts";
import { checkReferences } from "./check_references.ts";
import { checkSemantics } from "./check_semantics.ts";
import { Issues, layerOf } from "./issues.ts";
import type { CaseModel } from "./model.ts";
import { parseCase, type ParsedCase } from "./parse_case.ts";
import type { CaseReadOptions } from "./read.ts";

/** The `cobre/validate` output (mcp-server spec SS2.1). */
export interface ValidationReport {
  valid: boolean;
  errors: ErrorRecord[];
  warnings: ErrorRecord[];
  summary: {
    files_checked: number;
    entities_validated: number;
    layers_completed: number;
    error_count: number;
    warning_count: number;
  };
}

/** Throws MissingFile unless `caseDir` is an existing directory. */
export async function requireCaseDirectory(caseDir: string, access: ReadAccess): Promise<void> {
  const info = await access.stat(caseDir);
  if (info?.isDirectory) return;
  throw new CobreError(errorRecord(
    "MissingFile",
    info ? "The case path is a file, not a case directory" : "Case directory does not exist",
    { file: "", detail: info ? "not a directory" : "no such directory" },
    "Pass the directory that contains config.json, stages.json and system/.",
  ));
}

interface Analysis {
  parsed: ParsedCase;
  errors: ErrorRecord[];
  warnings: ErrorRecord[];
}

async function analyse(
  caseDir: string,
  access: ReadAccess,
  options: CaseReadOptions,
): Promise<Analysis> {
  await requireCaseDirectory(caseDir, access);
  const issues = new Issues();
  const parsed = await parseCase(caseDir, access, issues, options);
  // Later layers run on whatever earlier layers could extract, so one pass reports as much as
  // the data allows; checks skip entities that already failed.
  checkReferences(parsed, issues);
  checkCoverage(parsed, issues);
  checkSemantics(parsed, issues);
  return { parsed, ...issues.finish() };
}

function countEntities(parsed: ParsedCase): number {
  return (parsed.buses?.items.length ?? 0) + (parsed.lines?.items.length ?? 0) +
    (parsed.hydros?.items.length ?? 0) + (parsed.thermals?.items.length ?? 0) +
    (parsed.stages?.stages.length ?? 0);
}

/**
 * Runs the 5-layer validation and returns the report. `layers_completed` counts the layers that
 * ran on trustworthy input: every layer up to and including the first one that found an error.
 * Throws MissingFile only when `caseDir` is not a directory.
 */
export async function validateCase(
  caseDir: string,
  access: ReadAccess,
  options: CaseReadOptions = {},
): Promise<ValidationReport> {
  const { parsed, errors, warnings } = await analyse(caseDir, access, options);
  const firstFailing = errors.reduce((min, e) => Math.min(min, layerOf(e)), 5);
  return {
    valid: errors.length === 0,
    errors,
    warnings,
    summary: {
      files_checked: parsed.files_checked,
      entities_validated: countEntities(parsed),
      layers_completed: firstFailing,
      error_count: errors.length,
      warning_count: warnings.length,
    },
  };
}

/**
 * Loads a case into the typed model. Throws CobreError carrying the first validation error (its
 * context adds `error_count`) when the case is not valid; run `validateCase` for the full list.
 */
export async function loadCase(
  caseDir: string,
  access: ReadAccess,
  options: CaseReadOptions = {},
): Promise<CaseModel> {
  const { parsed, errors } = await analyse(caseDir, access, options);
  const first = errors[0];
  if (first) {
    throw new CobreError({
      ...first,
      context: { ...first.context, error_count: errors.length },
      suggestion: errors.length > 1
        ? `${
          first.suggestion ?? ""
        } The case has ${errors.length} errors in total; run cobre/validate to list them all.`
          .trim()
        : first.suggestion,
    });
  }
  return buildModel(parsed);
}
