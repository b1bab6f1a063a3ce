/**
 * Quick case introspection without the full validation pipeline: `inspectCase`
 * (`cobre/inspect-case`, mcp-server SS2.7) and `listScenarios` (`cobre/list-scenarios`, SS2.8).
 * They read only what they report: registry lengths, stage counts, and single Parquet columns.
 *
 * @module
 */
import { CobreError, isObject, type ReadAccess } from "../common/mod.ts";
import { discoverFiles } from "./files.ts";
import { Issues } from "./issues.ts";
import {
  type CaseFiles,
  caseFiles,
  type CaseReadOptions,
  type ParquetRow,
  readJson,
  readParquet,
  type ReadResult,
} from "./read.ts";
import { requireCaseDirectory } from "./validate.ts";

/** `cobre/inspect-case` output. */
export interface CaseInspection {
  config: Record<string, unknown>;
  entities: { hydros: number; thermals: number; buses: number; lines: number };
  stages: number;
  scenario_source: "par" | "external";
  files_present: string[];
}

/** `cobre/list-scenarios` output. */
export interface ScenarioListing {
  scenario_source: "par" | "external";
  /** Scenarios per stage: the external file's distinct scenario ids, else the largest stage branching. */
  count: number;
  stages: number;
  /** Hydros with an inflow model (distinct hydro ids of the inflow statistics or external file). */
  entities: number;
  par_model: { max_ar_order: number; seasons: number; correlation_groups: number } | null;
}

const EXTERNAL_FILES = [
  "scenarios/external_inflow_scenarios.parquet",
  "scenarios/external_load_scenarios.parquet",
  "scenarios/external_ncs_scenarios.parquet",
];

/** Throws the first record collected so far, if any. */
function throwIfFailed(issues: Issues): void {
  const first = issues.finish().errors[0];
  if (first) throw new CobreError(first);
}

async function openCase(
  caseDir: string,
  access: ReadAccess,
  options: CaseReadOptions,
): Promise<{ files: CaseFiles; present: string[] }> {
  await requireCaseDirectory(caseDir, access);
  const files = caseFiles(caseDir, access, new Issues(), options);
  return { files, present: await discoverFiles(files) };
}

/** Reads a JSON file that must be an object (null when absent); throws ParseError otherwise. */
async function readObject(
  files: CaseFiles,
  rel: string,
  required: boolean,
): Promise<Record<string, unknown> | null> {
  const read = await readJson(files, rel, required);
  throwIfFailed(files.issues);
  if (read.status !== "ok") return null;
  if (!isObject(read.value)) {
    throw new CobreError({
      kind: "ParseError",
      message: `${rel}: the top-level value must be a JSON object`,
      context: { file: rel, line: 1, detail: "top-level value is not an object" },
      suggestion: `Rewrite ${rel} as a JSON object following the Cobre case format.`,
    });
  }
  return read.value;
}

async function registryLength(files: CaseFiles, rel: string, key: string): Promise<number> {
  const value = await readObject(files, rel, false);
  if (value === null) return 0;
  const list = value[key];
  if (!Array.isArray(list)) {
    throw new CobreError({
      kind: "ParseError",
      message: `${rel}: "${key}" must be an array`,
      context: { file: rel, line: null, detail: `"${key}" is missing or not an array` },
      suggestion: `Give ${rel} a "${key}" array (it may be empty).`,
    });
  }
  return list.length;
}

function scenarioSourceOf(config: Record<string, unknown>, present: string[]): "par" | "external" {
  if (EXTERNAL_FILES.some((f) => present.includes(f))) return "external";
  const training = isObject(config.training) ? config.training : {};
  const source = isObject(training.scenario_source) ? training.scenario_source : {};
  const inflow = isObject(source.inflow) ? source.inflow : {};
  return inflow.scheme === "external" ? "external" : "par";
}

/** Summarises a case: parsed config, entity counts, stage count, scenario source, files present. */
export async function inspectCase(
  caseDir: string,
  access: ReadAccess,
  options: CaseReadOptions = {},
): Promise<CaseInspection> {
  const { files, present } = await openCase(caseDir, access, options);
  const config = await readObject(files, "config.json", true);
  if (config === null) throw new Error("unreachable: required config.json reported as absent");
  const entities = {
    hydros: await registryLength(files, "system/hydros.json", "hydros"),
    thermals: await registryLength(files, "system/thermals.json", "thermals"),
    buses: await registryLength(files, "system/buses.json", "buses"),
    lines: await registryLength(files, "system/lines.json", "lines"),
  };
  const stages = await registryLength(files, "stages.json", "stages");
  return {
    config,
    entities,
    stages,
    scenario_source: scenarioSourceOf(config, present),
    files_present: present,
  };
}

async function column(files: CaseFiles, rel: string, name: string): Promise<number[] | null> {
  const read: ReadResult<ParquetRow[]> = await readParquet(files, rel, [{
    name,
    type: "INT32",
    required: true,
  }]);
  throwIfFailed(files.issues);
  if (read.status !== "ok") return null;
  return read.value.map((r) => r[name]).filter((v): v is number => typeof v === "number");
}

function countCorrelationGroups(value: Record<string, unknown> | null): number {
  if (!value || !isObject(value.profiles)) return 0;
  const profile = value.profiles.default ?? Object.values(value.profiles)[0];
  return isObject(profile) && Array.isArray(profile.correlation_groups)
    ? profile.correlation_groups.length
    : 0;
}

/** Scenario metadata: source, count, coverage and PAR summary, reading single columns only. */
export async function listScenarios(
  caseDir: string,
  access: ReadAccess,
  options: CaseReadOptions = {},
): Promise<ScenarioListing> {
  const { files, present } = await openCase(caseDir, access, options);
  const config = await readObject(files, "config.json", false) ?? {};
  const stagesDoc = await readObject(files, "stages.json", false) ?? {};
  const stageList = Array.isArray(stagesDoc.stages) ? stagesDoc.stages.filter(isObject) : [];
  const source = scenarioSourceOf(config, present);
  const hasScenarioFile = present.some((f) =>
    f === "scenarios/inflow_seasonal_stats.parquet" ||
    f === "scenarios/load_seasonal_stats.parquet" ||
    EXTERNAL_FILES.includes(f)
  );
  if (!hasScenarioFile) {
    throw new CobreError({
      kind: "MissingFile",
      message:
        "Case directory has no scenario files (scenarios/inflow_seasonal_stats.parquet or external scenarios)",
      context: { file: "scenarios/inflow_seasonal_stats.parquet" },
      suggestion:
        "Add scenarios/inflow_seasonal_stats.parquet (and load_seasonal_stats.parquet) to the case.",
    });
  }
  const branching = stageList.reduce(
    (max, s) => Math.max(max, typeof s.num_scenarios === "number" ? s.num_scenarios : 0),
    0,
  );
  if (source === "external") {
    const rel = present.find((f) => EXTERNAL_FILES.includes(f)) ?? EXTERNAL_FILES[0] ?? "";
    const key = rel.includes("inflow") ? "hydro_id" : rel.includes("load") ? "bus_id" : "ncs_id";
    const ids = present.includes(rel) ? await column(files, rel, "scenario_id") : null;
    const entities = present.includes(rel) ? await column(files, rel, key) : null;
    return {
      scenario_source: "external",
      count: ids ? new Set(ids).size : branching,
      stages: stageList.length,
      entities: entities ? new Set(entities).size : 0,
      par_model: null,
    };
  }
  const hydroIds = present.includes("scenarios/inflow_seasonal_stats.parquet")
    ? await column(files, "scenarios/inflow_seasonal_stats.parquet", "hydro_id")
    : null;
  const lags = present.includes("scenarios/inflow_ar_coefficients.parquet")
    ? await column(files, "scenarios/inflow_ar_coefficients.parquet", "lag")
    : null;
  const seasonDefs =
    isObject(stagesDoc.season_definitions) && Array.isArray(stagesDoc.season_definitions.seasons)
      ? stagesDoc.season_definitions.seasons.length
      : null;
  // Without season_definitions the stages' season ids define the seasons; without those either,
  // Cobre infers monthly seasons from the stage dates.
  const stageSeasons = new Set(
    stageList.map((s) => s.season_id).filter((v) => typeof v === "number"),
  );
  const months = new Set(
    stageList.map((s) => String(s.start_date ?? "").slice(5, 7)).filter((m) => m !== ""),
  );
  const correlation = present.includes("scenarios/correlation.json")
    ? await readObject(files, "scenarios/correlation.json", false)
    : null;
  return {
    scenario_source: "par",
    count: branching,
    stages: stageList.length,
    entities: hydroIds ? new Set(hydroIds).size : 0,
    par_model: {
      max_ar_order: (lags ?? []).reduce((a, b) => Math.max(a, b), 0),
      seasons: seasonDefs ?? (stageSeasons.size > 0 ? stageSeasons.size : months.size),
      correlation_groups: countCorrelationGroups(correlation),
    },
  };
}
