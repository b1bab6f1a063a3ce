/**
 * The three case resources of spec SS3.1: `config.json` as written, one entity registry, and the
 * inflow model of one hydro plant (seasonal statistics, AR coefficients and, when the case uses
 * them, external scenarios).
 *
 * @module
 */
import { CobreError, errorRecord, type JsonValue } from "../../common/mod.ts";
import {
  type EntityRows,
  readCaseJson,
  readEntityRows,
  readRegistry,
  REGISTRY_TYPES,
  type RegistryType,
} from "./case_files.ts";
import type { ResourceTemplateDefinition } from "./definition.ts";
import { capRecords, type JsonRecords } from "./records.ts";

const CASE_DIR = { case_dir: "Cobre case directory (config.json, system/, scenarios/)" };

/** `cobre://case/{case_dir}/config`: the case's `config.json`, parsed. */
export const caseConfigResource: ResourceTemplateDefinition = {
  uriTemplate: "cobre://case/{case_dir}/config",
  name: "case-config",
  title: "Case configuration",
  description: "The case's config.json as written (training, stopping rules, simulation, " +
    "modeling). case_dir is the URL-encoded absolute path of the case directory.",
  pathContents: CASE_DIR,
  read: ({ paths }, ctx) => readCaseJson(paths.case_dir as string, "config.json", ctx.access),
};

function isRegistryType(value: string): value is RegistryType {
  return (REGISTRY_TYPES as readonly string[]).includes(value);
}

/** `cobre://case/{case_dir}/entities/{entity_type}`: one system registry. */
export const caseEntitiesResource: ResourceTemplateDefinition = {
  uriTemplate: "cobre://case/{case_dir}/entities/{entity_type}",
  name: "case-entities",
  title: "Case entity registry",
  description: "One entity registry of the case as {entity_type, file, count, entities}: " +
    "hydros, thermals, buses, lines (system/<type>.json) or contracts " +
    "(system/energy_contracts.json, optional).",
  pathContents: CASE_DIR,
  choices: { entity_type: REGISTRY_TYPES },
  async read({ variables, paths }, ctx) {
    const type = variables.entity_type as string;
    if (!isRegistryType(type)) {
      throw new CobreError(errorRecord(
        "InvalidArgument",
        `Unknown entity type "${type.slice(0, 100)}"; valid: ${REGISTRY_TYPES.join(", ")}`,
        { argument: "entity_type", value: type.slice(0, 100), valid: [...REGISTRY_TYPES] },
        `Use one of: ${REGISTRY_TYPES.join(", ")}.`,
      ));
    }
    const { file, entities } = await readRegistry(paths.case_dir as string, type, ctx.access);
    return { entity_type: type, file, count: entities.length, entities };
  },
};

/** A hydro of the registry, by integer id or (case-insensitive) name. */
function findHydro(entities: JsonValue[], wanted: string): { id: number; name: string | null } {
  const byId = /^\d+$/.test(wanted) ? Number(wanted) : null;
  const lower = wanted.toLowerCase();
  const known: string[] = [];
  for (const entity of entities) {
    if (typeof entity !== "object" || entity === null || Array.isArray(entity)) continue;
    const id = entity.id;
    const name = typeof entity.name === "string" ? entity.name : null;
    if (typeof id !== "number") continue;
    if (id === byId || name?.toLowerCase() === lower) return { id, name };
    if (name !== null && known.length < 20) known.push(name);
  }
  throw new CobreError(errorRecord(
    "InvalidArgument",
    `No hydro plant "${wanted.slice(0, 100)}" in system/hydros.json`,
    { argument: "entity_id", value: wanted.slice(0, 100), known_names: known },
    known.length > 0
      ? `Use a hydro id or one of the names: ${known.join(", ")}.`
      : "Use the integer id of a hydro plant of this case.",
  ));
}

function records(rows: EntityRows | null): JsonRecords | null {
  return rows === null ? null : capRecords(rows.columns, rows.rows);
}

const SEASONAL_STATS = "scenarios/inflow_seasonal_stats.parquet";
const AR_COEFFICIENTS = "scenarios/inflow_ar_coefficients.parquet";
const EXTERNAL_INFLOWS = "scenarios/external_inflow_scenarios.parquet";

/** `cobre://case/{case_dir}/scenarios/{entity_id}`: one hydro's inflow model. */
export const caseScenariosResource: ResourceTemplateDefinition = {
  uriTemplate: "cobre://case/{case_dir}/scenarios/{entity_id}",
  name: "case-scenarios",
  title: "Inflow model of one hydro plant",
  description: "The inflow scenario data of one hydro plant (entity_id: its id or name): PAR(p) " +
    "seasonal statistics per stage (mean_m3s, std_m3s), AR coefficients per stage and lag, the " +
    "AR order, and external inflow scenarios when the case has them. Tables are {columns, " +
    "rows, total_rows, truncated}, at most 10,000 rows each.",
  pathContents: CASE_DIR,
  async read({ variables, paths }, ctx) {
    const caseDir = paths.case_dir as string;
    const { entities } = await readRegistry(caseDir, "hydros", ctx.access);
    const hydro = findHydro(entities, variables.entity_id as string);
    const read = (rel: string) => readEntityRows(caseDir, rel, "hydro_id", hydro.id, ctx.access);
    const stats = await read(SEASONAL_STATS);
    const external = await read(EXTERNAL_INFLOWS);
    if (stats === null && external === null) {
      throw new CobreError(errorRecord(
        "MissingFile",
        `Case directory has no ${SEASONAL_STATS} (nor external inflow scenarios)`,
        { file: SEASONAL_STATS },
        `Add ${SEASONAL_STATS} (PAR model) or ${EXTERNAL_INFLOWS} to the case.`,
      ));
    }
    const coefficients = await read(AR_COEFFICIENTS);
    const lags = (coefficients?.rows ?? []).map((row) => Number(row.lag) || 0);
    return {
      entity_type: "hydros",
      entity_id: hydro.id,
      name: hydro.name,
      seasonal_stats: records(stats),
      ar_coefficients: records(coefficients),
      ar_order: lags.reduce((max, lag) => Math.max(max, lag), 0),
      external_scenarios: records(external),
    };
  },
};
