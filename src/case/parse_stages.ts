/**
 * `stages.json` → study stages, pre-study stages, policy graph and season definitions, with the
 * format's defaults (parallel blocks, storage state on, expectation, SAA sampling).
 *
 * @module
 */
import type { Issues } from "./issues.ts";
import { JsonReader } from "./fields.ts";
import type {
  Block,
  PolicyGraph,
  PolicyGraphTransition,
  PreStudyStage,
  RiskMeasure,
  SamplingMethod,
  Season,
  SeasonDefinitions,
  Stage,
} from "./model.ts";
import { unsupported } from "./unsupported.ts";

const FILE = "stages.json";
const SAMPLING_METHODS = [
  "saa",
  "lhs",
  "qmc_sobol",
  "qmc_halton",
  "selective",
  "historical_residuals",
] as const satisfies readonly SamplingMethod[];

/** Parsed stages.json. */
export interface ParsedStages {
  stages: Stage[];
  pre_study_stages: PreStudyStage[];
  policy_graph: PolicyGraph;
  season_definitions: SeasonDefinitions | null;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Milliseconds since epoch of a strict `YYYY-MM-DD` calendar date, or null. */
export function parseIsoDate(text: string): number | null {
  const m = DATE.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    return null;
  }
  return t;
}

function readDate(reader: JsonReader, key: string): number | undefined {
  const text = reader.reqString(key);
  if (text === undefined) return undefined;
  const t = parseIsoDate(text);
  if (t === null) {
    reader.markFailed();
    reader.issues.error(
      "SchemaViolation",
      `${reader.where(key)} is "${text}", which is not a calendar date in YYYY-MM-DD form`,
      { file: FILE, entity_id: reader.entityId, field: key, expected: "YYYY-MM-DD", actual: text },
      `Write "${key}" as an ISO 8601 date such as "2024-01-01".`,
    );
    return undefined;
  }
  return t;
}

function checkDateOrder(
  reader: JsonReader,
  start: number | undefined,
  end: number | undefined,
): void {
  if (start === undefined || end === undefined || start < end) return;
  reader.markFailed();
  reader.issues.error(
    "OutOfRange",
    `${reader.where("end_date")} must be after start_date`,
    {
      file: FILE,
      entity_id: reader.entityId,
      field: "end_date",
      value: String(reader.raw("end_date")),
      min: String(reader.raw("start_date")),
      max: null,
    },
    "Set end_date after start_date (end_date is exclusive).",
  );
}

function parseRisk(stage: JsonReader): RiskMeasure | undefined {
  const raw = stage.raw("risk_measure");
  if (raw === undefined || raw === null) return { kind: "expectation" };
  if (typeof raw === "string") {
    const value = stage.enumOf("risk_measure", ["expectation"] as const, "expectation");
    return value === undefined ? undefined : { kind: "expectation" };
  }
  const obj = stage.child("risk_measure", false);
  const cvar = obj?.child("cvar", true);
  if (!cvar) return undefined;
  const alpha = cvar.reqNumber("alpha", { min: 0, minExclusive: true, max: 1 });
  const lambda = cvar.reqNumber("lambda", { min: 0, max: 1 });
  if (alpha === undefined || lambda === undefined) return undefined;
  return { kind: "cvar", alpha, lambda };
}

function parseBlocks(stage: JsonReader): Block[] | undefined {
  const items = stage.array("blocks", true);
  if (items === null) return undefined;
  if (items.length === 0) {
    stage.markFailed();
    stage.issues.error(
      "SchemaViolation",
      `${stage.where("blocks")} must contain at least one block`,
      {
        file: FILE,
        entity_id: stage.entityId,
        field: "blocks",
        expected: "non-empty array",
        actual: "[]",
      },
      'Add a block such as {"id": 0, "name": "SINGLE", "hours": 744}.',
    );
    return undefined;
  }
  const blocks: Block[] = [];
  items.forEach((item, i) => {
    const block = stage.entity(item, `${stage.label} block ${i}`, stage.entityId, "blocks");
    if (!block) return;
    const id = block.reqNumber("id", { integer: true, min: 0 });
    const name = block.reqString("name");
    const hours = block.reqNumber("hours", { min: 0, minExclusive: true });
    if (block.failed || id === undefined || name === undefined || hours === undefined) {
      stage.markFailed();
      return;
    }
    blocks.push({ index: id, id, name, hours });
  });
  if (stage.failed) return undefined;
  blocks.sort((a, b) => a.id - b.id);
  if (blocks.some((b, i) => b.id !== i)) {
    stage.markFailed();
    stage.issues.error(
      "SchemaViolation",
      `${stage.where("blocks")} has block ids ${
        blocks.map((b) => b.id).join(", ")
      }; they must be 0, 1, ..., ${blocks.length - 1}`,
      {
        file: FILE,
        entity_id: stage.entityId,
        field: "blocks",
        expected: `ids 0..${blocks.length - 1}`,
        actual: blocks.map((b) => b.id).join(","),
      },
      "Number the blocks of each stage contiguously from 0.",
    );
    return undefined;
  }
  return blocks;
}

function parseStage(root: JsonReader, item: unknown, i: number): Stage | null {
  const first = root.entity(item, `stages[${i}]`, `stages[${i}]`, "stages");
  if (!first) return null;
  const rawId = first.raw("id");
  const stage = typeof rawId === "number" ? first.relabel(`stage ${rawId}`, rawId) : first;
  const id = stage.reqNumber("id", { integer: true, min: 0 });
  const start = readDate(stage, "start_date");
  const end = readDate(stage, "end_date");
  checkDateOrder(stage, start, end);
  const blocks = parseBlocks(stage);
  const blockMode = stage.enumOf("block_mode", ["parallel", "chronological"] as const, "parallel");
  const vars = stage.child("state_variables", false);
  const risk = parseRisk(stage);
  const numScenarios = stage.reqNumber("num_scenarios", { integer: true, min: 1 });
  const sampling = stage.enumOf("sampling_method", SAMPLING_METHODS, "saa");
  const seasonId = stage.optNumber("season_id", { integer: true, min: 0 });
  const stateVariables = {
    storage: vars?.bool("storage", true) ?? true,
    inflow_lags: vars?.bool("inflow_lags", false) ?? false,
  };
  if (
    stage.failed || id === undefined || blocks === undefined || blockMode === undefined ||
    risk === undefined || numScenarios === undefined || sampling === undefined ||
    seasonId === undefined
  ) {
    return null;
  }
  if (blockMode === "chronological") {
    unsupported(root.issues, FILE, "chronological block mode", [`stages[${i}].block_mode`], {
      entity_id: id,
    });
  }
  if (risk.kind === "cvar") {
    unsupported(root.issues, FILE, "the CVaR risk measure", [`stages[${i}].risk_measure`], {
      entity_id: id,
    });
  }
  if (sampling !== "saa") {
    unsupported(root.issues, FILE, `the "${sampling}" sampling method`, [
      `stages[${i}].sampling_method`,
    ], {
      entity_id: id,
    });
  }
  return {
    index: 0,
    id,
    start_date: String(stage.raw("start_date")),
    end_date: String(stage.raw("end_date")),
    season_id: seasonId,
    blocks,
    total_hours: blocks.reduce((sum, b) => sum + b.hours, 0),
    block_mode: blockMode,
    state_variables: stateVariables,
    risk_measure: risk,
    num_scenarios: numScenarios,
    sampling_method: sampling,
  };
}

function parsePreStudy(root: JsonReader, item: unknown, i: number): PreStudyStage | null {
  const first = root.entity(
    item,
    `pre_study_stages[${i}]`,
    `pre_study_stages[${i}]`,
    "pre_study_stages",
  );
  if (!first) return null;
  const rawId = first.raw("id");
  const stage = typeof rawId === "number"
    ? first.relabel(`pre-study stage ${rawId}`, rawId)
    : first;
  const id = stage.reqNumber("id", { integer: true, max: 0, maxExclusive: true });
  const start = readDate(stage, "start_date");
  const end = readDate(stage, "end_date");
  checkDateOrder(stage, start, end);
  const seasonId = stage.optNumber("season_id", { integer: true, min: 0 });
  if (stage.failed || id === undefined || seasonId === undefined) return null;
  return {
    id,
    start_date: String(stage.raw("start_date")),
    end_date: String(stage.raw("end_date")),
    season_id: seasonId,
  };
}

function parsePolicyGraph(root: JsonReader): PolicyGraph | null {
  const graph = root.child("policy_graph", true);
  if (!graph) return null;
  const type = graph.enumOf("type", ["finite_horizon", "cyclic"] as const, undefined);
  const rate = graph.reqNumber("annual_discount_rate", { min: 0 });
  const transitions: PolicyGraphTransition[] = [];
  (graph.array("transitions", false) ?? []).forEach((item, i) => {
    const t = graph.entity(item, `policy_graph.transitions[${i}]`, i, "policy_graph.transitions");
    if (!t) return;
    const source = t.reqNumber("source_id", { integer: true });
    const target = t.reqNumber("target_id", { integer: true });
    const probability = t.reqNumber("probability", { min: 0, max: 1 });
    const override = t.optNumber("annual_discount_rate_override", { min: 0 });
    if (t.failed || source === undefined || target === undefined || probability === undefined) {
      graph.markFailed();
      return;
    }
    transitions.push({
      source_id: source,
      target_id: target,
      probability,
      annual_discount_rate_override: override ?? null,
    });
  });
  if (graph.failed || type === undefined || rate === undefined) return null;
  if (type === "cyclic") {
    unsupported(
      root.issues,
      FILE,
      "cyclic (infinite-horizon) policy graphs",
      ["policy_graph.type"],
      {},
      'Use "finite_horizon".',
    );
  }
  return { type, annual_discount_rate: rate, transitions };
}

function parseSeasons(root: JsonReader): SeasonDefinitions | null | undefined {
  const defs = root.child("season_definitions", false);
  if (!defs) return null;
  const cycle = defs.enumOf("cycle_type", ["monthly", "weekly", "custom"] as const, undefined);
  const seasons: Season[] = [];
  (defs.array("seasons", true) ?? []).forEach((item, i) => {
    const s = defs.entity(
      item,
      `season_definitions.seasons[${i}]`,
      i,
      "season_definitions.seasons",
    );
    if (!s) return;
    const id = s.reqNumber("id", { integer: true, min: 0 });
    const label = s.reqString("label");
    const monthStart = s.reqNumber("month_start", { integer: true, min: 1, max: 12 });
    const custom = cycle === "custom";
    const day = (key: string, range: { min: number; max: number }) =>
      custom
        ? s.reqNumber(key, { integer: true, ...range })
        : s.optNumber(key, { integer: true, ...range });
    const dayStart = day("day_start", { min: 1, max: 31 });
    const monthEnd = day("month_end", { min: 1, max: 12 });
    const dayEnd = day("day_end", { min: 1, max: 31 });
    if (s.failed || id === undefined || label === undefined || monthStart === undefined) {
      defs.markFailed();
      return;
    }
    seasons.push({
      id,
      label,
      month_start: monthStart,
      day_start: dayStart ?? null,
      month_end: monthEnd ?? null,
      day_end: dayEnd ?? null,
    });
  });
  if (defs.failed || cycle === undefined) return undefined;
  seasons.sort((a, b) => a.id - b.id);
  return { cycle_type: cycle, seasons };
}

function reportDuplicates(issues: Issues, ids: number[], field: string, registry: string): boolean {
  const seen = new Set<number>();
  let clean = true;
  for (const id of ids) {
    if (seen.has(id)) {
      clean = false;
      issues.error(
        "DuplicateId",
        `${FILE}: ${registry} id ${id} appears more than once`,
        { file: FILE, entity_id: id, registry: field },
        `Give every entry of "${field}" a unique id.`,
      );
    }
    seen.add(id);
  }
  return clean;
}

/** Parses `stages.json`; returns null when it is unusable (records say why). */
export function parseStages(issues: Issues, value: unknown): ParsedStages | null {
  const root = JsonReader.root(issues, FILE, value);
  if (!root) return null;
  root.optString("$schema");
  if (root.has("scenario_source")) {
    root.markFailed();
    issues.error(
      "SchemaViolation",
      `${FILE}: "scenario_source" is no longer read from stages.json (moved to config.json in Cobre 0.4)`,
      {
        file: FILE,
        entity_id: null,
        field: "scenario_source",
        expected: "absent",
        actual: "present",
      },
      'Move it to config.json as "training.scenario_source" (and "simulation.scenario_source").',
    );
  }
  const graph = parsePolicyGraph(root);
  const seasons = parseSeasons(root);
  const stageItems = root.array("stages", true);
  if (stageItems !== null && stageItems.length === 0) {
    root.markFailed();
    issues.error(
      "SchemaViolation",
      `${FILE}: "stages" must contain at least one stage`,
      { file: FILE, entity_id: null, field: "stages", expected: "non-empty array", actual: "[]" },
      "Define the study stages in stages.json.",
    );
  }
  const stages = (stageItems ?? []).map((item, i) => parseStage(root, item, i));
  const pre = (root.array("pre_study_stages", false) ?? []).map((item, i) =>
    parsePreStudy(root, item, i)
  );
  const stageIds = stages.flatMap((s) => (s ? [s.id] : []));
  const preIds = pre.flatMap((s) => (s ? [s.id] : []));
  const uniqueStages = reportDuplicates(issues, stageIds, "stages", "stage");
  const uniquePre = reportDuplicates(issues, preIds, "pre_study_stages", "pre-study stage");
  if (
    root.failed || graph === null || seasons === undefined || !uniqueStages || !uniquePre ||
    stages.some((s) => s === null) || pre.some((s) => s === null)
  ) {
    return null;
  }
  const sorted = (stages as Stage[]).sort((a, b) => a.id - b.id);
  sorted.forEach((s, i) => (s.index = i));
  return {
    stages: sorted,
    pre_study_stages: (pre as PreStudyStage[]).sort((a, b) => a.id - b.id),
    policy_graph: graph,
    season_definitions: seasons,
  };
}
