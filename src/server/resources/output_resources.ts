/**
 * The three output resources of spec SS3.1: the training convergence log, one simulation table,
 * and the policy summary (SS3.3). Outputs of the real `cobre` CLI and of our engine read alike.
 *
 * @module
 */
import { posix } from "node:path";
import { CobreError, errorRecord } from "../../common/mod.ts";
import {
  CONVERGENCE_TABLE,
  locatePolicy,
  MAX_JSON_ROWS,
  QUERY_ENTITY_TYPES,
  queryResults,
  readParquetJson,
  readTrainingStatus,
  summarizePolicy,
} from "../../output/mod.ts";
import type { ResourceTemplateDefinition } from "./definition.ts";
import { tableAsRecords } from "./records.ts";

const OUTPUT_DIR = { output_dir: "Cobre output directory (training/, simulation/, policy/)" };

/** `cobre://output/{output_dir}/convergence`: `training/convergence.parquet` as JSON. */
export const outputConvergenceResource: ResourceTemplateDefinition = {
  uriTemplate: "cobre://output/{output_dir}/convergence",
  name: "output-convergence",
  title: "Training convergence log",
  description: "training/convergence.parquet as JSON, one row per iteration with Cobre's own " +
    "columns (lower_bound, upper_bound_mean, upper_bound_std, gap_percent, cuts, timings), plus " +
    "the run's status and termination_reason. Use cobre/query-convergence for derived gap and " +
    "confidence intervals.",
  pathContents: OUTPUT_DIR,
  async read({ variables, paths }, ctx) {
    const outputDir = paths.output_dir as string;
    const display = posix.join(variables.output_dir as string, CONVERGENCE_TABLE.path);
    const path = posix.join(outputDir, CONVERGENCE_TABLE.path);
    if ((await ctx.access.stat(path)) === null) {
      throw new CobreError(errorRecord(
        "OutputNotFound",
        `No training convergence log at "${display}"`,
        { path: display, expected_content: "training/convergence.parquet" },
        "Train a policy first (cobre/run with training enabled), or check the output directory.",
      ));
    }
    const table = await readParquetJson(ctx.access, path, display, MAX_JSON_ROWS);
    const status = await readTrainingStatus(outputDir, ctx.access);
    return {
      ...tableAsRecords(table),
      status: status.status ?? "unknown",
      termination_reason: status.termination_reason ?? "unknown",
    };
  },
};

/** Entity types of the results resource: the spec's five, then Cobre's other tables. */
const RESULT_TYPES = Object.keys(QUERY_ENTITY_TYPES);

/** `cobre://output/{output_dir}/results/{entity_type}`: one simulation table, capped. */
export const outputResultsResource: ResourceTemplateDefinition = {
  uriTemplate: "cobre://output/{output_dir}/results/{entity_type}",
  name: "output-results",
  title: "Simulation results table",
  description: "One simulation table (hydros, thermals, buses, lines, costs, contracts, ...) " +
    "across all scenario partitions, first 10,000 rows, as {columns, rows, total_rows, " +
    "truncated}. Use cobre/query-results to filter by entity, stage or scenario.",
  pathContents: OUTPUT_DIR,
  choices: { entity_type: RESULT_TYPES },
  async read({ variables, paths }, ctx) {
    const table = await queryResults(
      {
        outputDir: paths.output_dir as string,
        entity_type: variables.entity_type as string,
        filters: { limit: MAX_JSON_ROWS },
      },
      ctx.access,
    );
    return tableAsRecords(table);
  },
};

/** `cobre://output/{output_dir}/policy/summary`: the cut pool summary of SS3.3. */
export const outputPolicySummaryResource: ResourceTemplateDefinition = {
  uriTemplate: "cobre://output/{output_dir}/policy/summary",
  name: "output-policy-summary",
  title: "Policy summary",
  description: "Summary of the trained policy's FlatBuffers cut files: stages, total_cuts, " +
    "state_dimension and cuts_per_stage (as cobre/inspect-policy without a stage), plus the " +
    "active cuts per stage.",
  pathContents: OUTPUT_DIR,
  async read({ paths }, ctx) {
    const location = await locatePolicy(paths.output_dir as string, ctx.access);
    return await summarizePolicy(location, ctx.access);
  },
};
