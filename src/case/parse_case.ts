/**
 * Validation layers 1 and 2 over a whole case: read every file the format defines (in a fixed
 * order, so records come out in the same order on every run) and parse what can be parsed.
 * Unusable files come back as "error"; absent optional files as "absent".
 *
 * @module
 */
import { isObject, type ReadAccess } from "../common/mod.ts";
import { discoverFiles, REQUIRED_FILES } from "./files.ts";
import { Issues } from "./issues.ts";
import type { CaseConfig, GlobalPenalties, InitialConditions } from "./model.ts";
import { parseConfig } from "./parse_config.ts";
import {
  parseInitialConditions,
  parseProductionModels,
  type ProductionModelEntry,
} from "./parse_initial.ts";
import { type LoadFactorEntry, parseLoadFactors } from "./parse_load_factors.ts";
import { parsePenalties } from "./parse_penalties.ts";
import { type ParsedStages, parseStages } from "./parse_stages.ts";
import {
  parseBuses,
  parseHydros,
  parseLines,
  parseThermals,
  type RawBus,
  type RawHydro,
  type RawLine,
  type RawThermal,
  type Registry,
} from "./parse_system.ts";
import { KEYED_TABLES, readTable, type TableRow } from "./parse_tables.ts";
import { type CaseFiles, caseFiles, type CaseReadOptions, readJson } from "./read.ts";
import { unsupported, UNSUPPORTED_FILES } from "./unsupported.ts";

/** Outcome of an optional input: parsed value, absent, or present but unusable. */
export type Optional<T> = T | "absent" | "error";

/** Everything layers 1–2 could extract from a case. */
export interface ParsedCase {
  files_present: string[];
  files_checked: number;
  /** config.json as written, when it parsed as JSON (even if fields are wrong). */
  raw_config: Record<string, unknown> | null;
  config: CaseConfig | null;
  stages: ParsedStages | null;
  penalties: GlobalPenalties | null;
  buses: Registry<RawBus> | null;
  lines: Registry<RawLine> | null;
  hydros: Registry<RawHydro> | null;
  thermals: Registry<RawThermal> | null;
  initial_conditions: InitialConditions | null;
  production_models: Optional<ProductionModelEntry[]>;
  load_factors: Optional<LoadFactorEntry[]>;
  /** Keyed Parquet tables by file name. */
  tables: Map<string, Optional<TableRow[]>>;
}

async function parseJson<T>(
  files: CaseFiles,
  rel: string,
  required: boolean,
  parse: (issues: Issues, value: unknown) => T | null,
): Promise<Optional<T>> {
  const read = await readJson(files, rel, required);
  if (read.status === "absent") return "absent";
  if (read.status === "error") return "error";
  return parse(files.issues, read.value) ?? "error";
}

function required<T>(value: Optional<T>): T | null {
  return value === "absent" || value === "error" ? null : value;
}

/** Reads and parses every file of the case at `caseDir`. */
export async function parseCase(
  caseDir: string,
  access: ReadAccess,
  issues: Issues,
  options: CaseReadOptions = {},
): Promise<ParsedCase> {
  const files: CaseFiles = caseFiles(caseDir, access, issues, options);
  const present = await discoverFiles(files);

  let rawConfig: Record<string, unknown> | null = null;
  const config = await parseJson(files, "config.json", true, (iss, value) => {
    if (isObject(value)) rawConfig = value;
    return parseConfig(iss, value);
  });
  const stages = await parseJson(files, "stages.json", true, parseStages);
  const penalties = await parseJson(files, "penalties.json", true, parsePenalties);
  const buses = await parseJson(files, "system/buses.json", true, parseBuses);
  const lines = await parseJson(files, "system/lines.json", true, parseLines);
  const hydros = await parseJson(files, "system/hydros.json", true, parseHydros);
  const thermals = await parseJson(files, "system/thermals.json", true, parseThermals);
  const initial = await parseJson(files, "initial_conditions.json", true, parseInitialConditions);
  const production = await parseJson(
    files,
    "system/hydro_production_models.json",
    false,
    parseProductionModels,
  );
  const loadFactors = await parseJson(
    files,
    "scenarios/load_factors.json",
    false,
    parseLoadFactors,
  );
  const tables = new Map<string, Optional<TableRow[]>>();
  for (const spec of KEYED_TABLES) {
    const rows = await readTable(files, spec);
    tables.set(spec.file, rows === null ? "absent" : rows);
  }
  for (const file of present) {
    const feature = UNSUPPORTED_FILES[file];
    if (feature) {
      unsupported(
        issues,
        file,
        feature,
        [file],
        {},
        `Remove ${file} from the case to run it with cobre-mcp (its data would otherwise be ignored), or run it with the cobre CLI.`,
      );
    }
  }
  for (const file of present) files.checked.add(file);
  for (const file of REQUIRED_FILES) files.checked.add(file);
  return {
    files_present: present,
    files_checked: files.checked.size,
    raw_config: rawConfig,
    config: required(config),
    stages: required(stages),
    penalties: required(penalties),
    buses: required(buses),
    lines: required(lines),
    hydros: required(hydros),
    thermals: required(thermals),
    initial_conditions: required(initial),
    production_models: production,
    load_factors: loadFactors,
    tables,
  };
}
