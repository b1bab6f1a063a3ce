/**
 * `initial_conditions.json` (storage at study start, past inflows for PAR lags, recent
 * observations) and `system/hydro_production_models.json` (per-stage production model choice).
 *
 * @module
 */
import type { Issues } from "./issues.ts";
import { JsonReader } from "./fields.ts";
import { parseIsoDate } from "./parse_stages.ts";
import type {
  HydroGenerationModel,
  InitialConditions,
  PastInflow,
  RecentObservation,
} from "./model.ts";
import { unsupported } from "./unsupported.ts";

const IC_FILE = "initial_conditions.json";
const PM_FILE = "system/hydro_production_models.json";

function duplicate(issues: Issues, file: string, field: string, id: number): void {
  issues.error(
    "DuplicateId",
    `${file}: hydro ${id} appears more than once in "${field}"`,
    { file, entity_id: id, registry: field },
    `List each hydro at most once in "${field}".`,
  );
}

function readStorageList(root: JsonReader, key: string): Map<number, number> | null {
  const items = root.array(key, true);
  if (items === null) return null;
  const out = new Map<number, number>();
  items.forEach((item, i) => {
    const entry = root.entity(item, `${key}[${i}]`, `${key}[${i}]`, key);
    if (!entry) return root.markFailed();
    const id = entry.reqNumber("hydro_id", { integer: true, min: 0 });
    const at = id === undefined ? entry : entry.relabel(`${key} entry for hydro ${id}`, id);
    const value = at.reqNumber("value_hm3", { min: 0 });
    if (id === undefined || value === undefined || entry.failed) return root.markFailed();
    if (out.has(id)) {
      root.markFailed();
      return duplicate(root.issues, IC_FILE, key, id);
    }
    out.set(id, value);
  });
  return out;
}

/** Parses `initial_conditions.json`; null when unusable. */
export function parseInitialConditions(issues: Issues, value: unknown): InitialConditions | null {
  const root = JsonReader.root(issues, IC_FILE, value);
  if (!root) return null;
  root.optString("$schema");
  const storage = readStorageList(root, "storage");
  const filling = readStorageList(root, "filling_storage");
  if (storage && filling) {
    for (const id of filling.keys()) {
      if (!storage.has(id)) continue;
      root.markFailed();
      issues.error(
        "PhysicalConstraint",
        `${IC_FILE}: hydro ${id} is listed in both "storage" and "filling_storage"`,
        {
          file: IC_FILE,
          entity_id: id,
          rule: "filling_operating_exclusive",
          detail: "a hydro is either operating or filling",
        },
        "Keep the hydro in exactly one of the two lists.",
      );
    }
  }
  const pastInflows: PastInflow[] = [];
  const pastSeen = new Set<number>();
  (root.array("past_inflows", false) ?? []).forEach((item, i) => {
    const entry = root.entity(item, `past_inflows[${i}]`, `past_inflows[${i}]`, "past_inflows");
    if (!entry) return root.markFailed();
    const id = entry.reqNumber("hydro_id", { integer: true, min: 0 });
    const at = id === undefined ? entry : entry.relabel(`past_inflows entry for hydro ${id}`, id);
    const values = at.numberArray("values_m3s", true, { min: 0 });
    const seasons = at.has("season_ids")
      ? at.numberArray("season_ids", false, { integer: true, min: 0 })
      : null;
    if (id === undefined || values === null || entry.failed) return root.markFailed();
    if (seasons && seasons.length !== values.length) {
      root.markFailed();
      return issues.error(
        "SchemaViolation",
        `${IC_FILE}: past_inflows entry for hydro ${id} has ${seasons.length} season_ids for ${values.length} values_m3s`,
        {
          file: IC_FILE,
          entity_id: id,
          field: "season_ids",
          expected: `${values.length} entries`,
          actual: `${seasons.length} entries`,
        },
        "Give one season id per past inflow value, most recent first.",
      );
    }
    if (pastSeen.has(id)) {
      root.markFailed();
      return duplicate(issues, IC_FILE, "past_inflows", id);
    }
    pastSeen.add(id);
    pastInflows.push({ hydro_id: id, values_m3s: values, season_ids: seasons });
  });
  const recent: RecentObservation[] = [];
  (root.array("recent_observations", false) ?? []).forEach((item, i) => {
    const entry = root.entity(item, `recent_observations[${i}]`, i, "recent_observations");
    if (!entry) return root.markFailed();
    const id = entry.reqNumber("hydro_id", { integer: true, min: 0 });
    const start = entry.reqString("start_date");
    const end = entry.reqString("end_date");
    const v = entry.reqNumber("value_m3s", { min: 0 });
    if (
      id === undefined || start === undefined || end === undefined || v === undefined ||
      entry.failed
    ) {
      return root.markFailed();
    }
    const s = parseIsoDate(start);
    const e = parseIsoDate(end);
    if (s === null || e === null || s >= e) {
      root.markFailed();
      return issues.error(
        "SchemaViolation",
        `${IC_FILE}: recent_observations[${i}] needs YYYY-MM-DD dates with start_date before end_date`,
        {
          file: IC_FILE,
          entity_id: id,
          field: `recent_observations[${i}]`,
          expected: "start_date < end_date",
          actual: `${start} .. ${end}`,
        },
        "Use ISO dates; end_date is exclusive.",
      );
    }
    recent.push({ hydro_id: id, start_date: start, end_date: end, value_m3s: v });
  });
  if (recent.length > 0) {
    unsupported(issues, IC_FILE, "recent inflow observations for mid-season starts", [
      "recent_observations",
    ]);
  }
  if (filling && filling.size > 0) {
    unsupported(issues, IC_FILE, "reservoir filling", ["filling_storage"]);
  }
  if (root.failed || storage === null || filling === null) return null;
  return {
    storage_hm3: storage,
    filling_storage_hm3: filling,
    past_inflows: pastInflows,
    recent_observations: recent,
  };
}

/** One (hydro, stage-range or season) production model assignment. */
export interface ProductionModelRule {
  model: HydroGenerationModel;
  productivity_override: number | null;
  /** stage_ranges mode */
  start_stage_id?: number;
  end_stage_id?: number | null;
  /** seasonal mode */
  season_id?: number;
}

export interface ProductionModelEntry {
  hydro_id: number;
  selection_mode: "stage_ranges" | "seasonal";
  rules: ProductionModelRule[];
  default_model: HydroGenerationModel | null;
}

const MODELS = ["constant_productivity", "linearized_head", "fpha"] as const;

function readRule(reader: JsonReader, hydroId: number, where: string): ProductionModelRule | null {
  const model = reader.enumOf("model", MODELS, undefined);
  const override = reader.optNumber("productivity_override", { min: 0, minExclusive: true });
  if (reader.has("fpha_config")) {
    const fpha = reader.child("fpha_config", false);
    fpha?.enumOf("source", ["precomputed", "computed"] as const, undefined);
  } else if (model === "fpha") {
    reader.child("fpha_config", true);
  }
  if (model === undefined || override === undefined) return null;
  if (model === "fpha" && override !== null) {
    reader.markFailed();
    reader.issues.error(
      "IncompatibleSettings",
      `${PM_FILE}: hydro ${hydroId} ${where} sets productivity_override on an "fpha" model`,
      {
        file: PM_FILE,
        settings: [`${where}.productivity_override`, `${where}.model`],
        detail: "productivity_override is rejected on fpha",
      },
      "Remove productivity_override; FPHA derives productivity from its hyperplanes.",
    );
    return null;
  }
  if (model !== "constant_productivity") {
    unsupported(reader.issues, PM_FILE, `the "${model}" hydro production model`, [
      `hydro ${hydroId} ${where}.model`,
    ], {
      entity_id: hydroId,
    });
  }
  return { model, productivity_override: override };
}

/** Parses `system/hydro_production_models.json`; null when unusable. */
export function parseProductionModels(
  issues: Issues,
  value: unknown,
): ProductionModelEntry[] | null {
  const root = JsonReader.root(issues, PM_FILE, value);
  if (!root) return null;
  root.optString("$schema");
  const entries: ProductionModelEntry[] = [];
  const seen = new Set<number>();
  (root.array("production_models", true) ?? []).forEach((item, i) => {
    const first = root.entity(item, `production_models[${i}]`, i, "production_models");
    if (!first) return root.markFailed();
    const id = first.reqNumber("hydro_id", { integer: true, min: 0 });
    if (id === undefined) return root.markFailed();
    const entry = first.relabel(`hydro ${id}`, id);
    if (seen.has(id)) {
      root.markFailed();
      return duplicate(issues, PM_FILE, "production_models", id);
    }
    seen.add(id);
    const mode = entry.enumOf("selection_mode", ["stage_ranges", "seasonal"] as const, undefined);
    const rules: ProductionModelRule[] = [];
    let defaultModel: HydroGenerationModel | null = null;
    if (mode === "stage_ranges") {
      (entry.array("stage_ranges", true) ?? []).forEach((r, j) => {
        const range = entry.entity(r, `hydro ${id} stage_ranges[${j}]`, id, "stage_ranges");
        if (!range) return entry.markFailed();
        const start = range.reqNumber("start_stage_id", { integer: true, min: 0 });
        const end = range.optNumber("end_stage_id", { integer: true, min: 0 });
        const rule = readRule(range, id, `stage_ranges[${j}]`);
        if (start === undefined || end === undefined || rule === null || range.failed) {
          return entry.markFailed();
        }
        if (end !== null && end < start) {
          entry.markFailed();
          return issues.error(
            "StageMismatch",
            `${PM_FILE}: hydro ${id} stage_ranges[${j}] ends (stage ${end}) before it starts (stage ${start})`,
            {
              file: PM_FILE,
              entity_id: id,
              stage_id: start,
              detail: "end_stage_id < start_stage_id",
            },
            "Make end_stage_id >= start_stage_id, or null for open-ended.",
          );
        }
        rules.push({ ...rule, start_stage_id: start, end_stage_id: end });
      });
    } else if (mode === "seasonal") {
      defaultModel = entry.enumOf("default_model", MODELS, undefined) ?? null;
      if (defaultModel !== null && defaultModel !== "constant_productivity") {
        unsupported(issues, PM_FILE, `the "${defaultModel}" hydro production model`, [
          `hydro ${id}.default_model`,
        ], {
          entity_id: id,
        });
      }
      (entry.array("seasons", true) ?? []).forEach((r, j) => {
        const season = entry.entity(r, `hydro ${id} seasons[${j}]`, id, "seasons");
        if (!season) return entry.markFailed();
        const seasonId = season.reqNumber("season_id", { integer: true, min: 0 });
        const rule = readRule(season, id, `seasons[${j}]`);
        if (seasonId === undefined || rule === null || season.failed) return entry.markFailed();
        rules.push({ ...rule, season_id: seasonId });
      });
    }
    if (entry.failed || mode === undefined) return root.markFailed();
    entries.push({ hydro_id: id, selection_mode: mode, rules, default_model: defaultModel });
  });
  if (root.failed) return null;
  return entries.sort((a, b) => a.hydro_id - b.hydro_id);
}
