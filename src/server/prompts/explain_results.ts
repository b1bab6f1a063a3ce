/**
 * `cobre/explain-results` (spec SS4.5): guides the agent from raw simulation rows to a
 * domain-level explanation of one metric (storage and water values, thermal dispatch, marginal
 * costs, deficits). The metric is a word or a column name; it is mapped to the columns of the
 * entity's table so the agent queries only those.
 *
 * @module
 */
import { posix } from "node:path";
import { CobreError, errorRecord } from "../../common/mod.ts";
import { QUERY_ENTITY_TYPES, readSimulationStatus, SCENARIO_COLUMN } from "../../output/mod.ts";
import { expandTemplate, outputResultsResource } from "../resources/mod.ts";
import { resolveOutputDir } from "./arguments.ts";
import type { PromptDefinition } from "./definition.ts";
import { fenceUntrusted } from "../../security/mod.ts";

/** Entity types of spec SS4.5. */
export const EXPLAIN_ENTITY_TYPES = ["hydros", "thermals", "buses", "costs"] as const;
type ExplainEntityType = typeof EXPLAIN_ENTITY_TYPES[number];

/** Domain words for metrics, each mapped to the columns that measure it. */
const METRIC_ALIASES: Record<string, readonly string[]> = {
  storage: ["storage_initial_hm3", "storage_final_hm3"],
  generation: ["generation_mw", "generation_mwh"],
  marginal_cost: ["spot_price"],
  spot_price: ["spot_price"],
  price: ["spot_price"],
  deficit: ["deficit_mw", "deficit_mwh", "deficit_cost"],
  water_value: ["water_value_per_hm3"],
  spillage: ["spillage_m3s", "spillage_cost"],
  inflow: ["inflow_m3s", "incremental_inflow_m3s"],
  turbined: ["turbined_m3s"],
  cost: ["generation_cost", "total_cost", "immediate_cost", "future_cost"],
};

/** Key columns that locate a row (always queried with the metric). */
const KEY_COLUMNS = [SCENARIO_COLUMN, "stage_id", "block_id"];

/** The metric words and column names `entityType` can explain (for completions). */
export function metricChoices(entityType: string): string[] {
  const table = QUERY_ENTITY_TYPES[entityType as ExplainEntityType];
  if (table === undefined) return Object.keys(METRIC_ALIASES);
  const names = table.columns.map((column) => column.name);
  const aliases = Object.keys(METRIC_ALIASES).filter((alias) =>
    (METRIC_ALIASES[alias] ?? []).some((column) => names.includes(column))
  );
  const measures = table.columns
    .filter((c) => c.type === "float64" && !KEY_COLUMNS.includes(c.name))
    .map((c) => c.name);
  return [...new Set([...aliases, ...measures])];
}

/** The columns of `entityType`'s table that measure `metric` (a word or a column name). */
export function metricColumns(entityType: ExplainEntityType, metric: string): string[] {
  const names = QUERY_ENTITY_TYPES[entityType].columns.map((column) => column.name);
  const key = metric.trim().toLowerCase().replace(/[\s-]+/g, "_");
  const aliased = (METRIC_ALIASES[key] ?? []).filter((column) => names.includes(column));
  if (aliased.length > 0) return aliased;
  return names.filter((name) => !KEY_COLUMNS.includes(name) && key !== "" && name.includes(key));
}

const GUIDES: Record<ExplainEntityType, string> = {
  hydros: "Reservoir operation: storage is drawn down in dry seasons and refilled in wet ones; " +
    "water_value_per_hm3 is the marginal value of stored water (the future cost a hm3 saves), " +
    "high when storage is scarce. Spillage while thermals run, or storage_binding_code at a " +
    "bound, deserves a comment; slack and violation columns above zero mean a constraint could " +
    "not be met.",
  thermals: "Thermal dispatch follows merit order (cost_per_mwh of system/thermals.json): cheap " +
    "units run first, expensive ones only when water is scarce or demand high. generation_cost " +
    "is what each unit adds; compare dispatch across scenarios to see how hydrology drives it.",
  buses: "spot_price is the bus's marginal cost: it equals the cost of the marginal thermal " +
    "unit, the water value of the marginal hydro, or the deficit cost when load is not served. " +
    "deficit_mw above zero is unserved load: say in which stages and scenarios it happens and " +
    "whether it follows low inflows or line limits.",
  costs: "immediate_cost is the stage's operating cost and future_cost the policy's estimate " +
    "of the cost to come; deficit_cost, thermal_cost and the violation costs break the total " +
    "down. Sum immediate_cost over stages per scenario for the cost of one scenario.",
};

/** The `cobre/explain-results` prompt. */
export const explainResultsPrompt: PromptDefinition = {
  name: "cobre/explain-results",
  title: "Explain simulation results",
  description: "Explains one simulation metric (storage, generation, marginal cost, deficit, " +
    "...) of hydros, thermals, buses or costs in hydrothermal dispatch terms.",
  arguments: [
    { name: "output_dir", description: "Absolute path to the output directory", required: true },
    {
      name: "entity_type",
      description: "Entity type to explain: hydros, thermals, buses or costs",
      required: true,
    },
    {
      name: "metric",
      description: "Specific metric to focus on (e.g., 'storage', 'generation', " +
        "'marginal_cost', 'deficit') or a column name",
      required: true,
    },
  ],
  choices: { entity_type: EXPLAIN_ENTITY_TYPES },
  async render(args, ctx) {
    const given = args.output_dir ?? "";
    const entityType = args.entity_type as ExplainEntityType;
    const metric = args.metric ?? "";
    const outputDir = await resolveOutputDir(ctx.sandbox, given);
    const table = QUERY_ENTITY_TYPES[entityType];
    const columns = metricColumns(entityType, metric);
    if (columns.length === 0) {
      const valid = metricChoices(entityType);
      throw new CobreError(errorRecord(
        "InvalidArgument",
        `No column of ${entityType} measures "${metric.slice(0, 100)}"`,
        { argument: "metric", value: metric.slice(0, 100), valid },
        `Use one of: ${valid.join(", ")}.`,
      ));
    }
    const access = ctx.sandbox.access;
    if ((await access.stat(posix.join(outputDir, table.path))) === null) {
      throw new CobreError(errorRecord(
        "OutputNotFound",
        `No simulation results for ${entityType} in '${given}'`,
        { path: posix.join(given, table.path), expected_content: `${table.path}/ partitions` },
        "Simulate the case first (simulation enabled in config.json), or check the directory.",
      ));
    }
    const status = await readSimulationStatus(outputDir, access);
    const tool = ctx.tool;
    const dir = JSON.stringify(given);
    const queried = [...KEY_COLUMNS, ...(table.entityIdColumn ? [table.entityIdColumn] : [])]
      .filter((name) => name === SCENARIO_COLUMN || table.columns.some((c) => c.name === name))
      .concat(columns);
    const exportHint = ctx.serves("cobre/export-results") && ctx.mode === "read-write"
      ? ` For the full table, \`${tool("cobre/export-results")}\` writes it as CSV or Arrow.`
      : "";
    const instructions = [
      `Explain the ${JSON.stringify(metric)} results of ${entityType} in output directory ${dir}` +
      ` (columns: ${columns.join(", ")}; units are in the column names).`,
      "",
      `1. Load the rows with \`${tool("cobre/query-results")}\` {"output_dir": ${dir}, ` +
      `"entity_type": "${entityType}", "filters": {"columns": ${JSON.stringify(queried)}, ` +
      `"limit": 10000}}. If truncated is true, page with filters.scenario_range or ` +
      `filters.stage_range.${exportHint} A first look without filters is the resource ${
        expandTemplate(outputResultsResource.uriTemplate, {
          output_dir: given,
          entity_type: entityType,
        })
      }.`,
      "2. Compute summary statistics across scenarios for each stage" +
      (table.entityIdColumn ? ` and ${table.entityIdColumn}` : "") +
      ": mean, standard deviation, P10, P50 and P90 (block rows: weight by block or use the " +
      "*_mwh columns).",
      `3. Interpret them in hydrothermal dispatch terms. ${GUIDES[entityType]}`,
      "4. Point out anomalies and notable patterns (outlier scenarios, stages at bounds, " +
      "deficits, values that contradict the merit order) and what in the case could cause them.",
      "",
      "The next message holds the simulation status as read from the output's files.",
    ];
    return {
      description: `Explain ${metric} of ${entityType}`,
      messages: [
        { role: "user", text: instructions.join("\n") },
        {
          role: "user",
          text: fenceUntrusted(
            `simulation status read from ${given}/simulation metadata`,
            JSON.stringify(status, null, 1),
          ),
        },
      ],
    };
  },
};
