/**
 * Quick measurement (not a test): writes a 2000-scenario output with the incremental writer and
 * times the queries on it. Run:
 *
 *   npx -y deno@2.9.5 run -A tests/output/measure_queries.ts [scenarios]
 *
 * Shape per scenario: 60 stages x 1 block, 10 hydros, 20 thermals, 4 buses, 5 lines, 10 lags.
 */
import { posix } from "node:path";
import { directFileAccess } from "../../src/common/mod.ts";
import {
  exportResults,
  inspectPolicy,
  queryConvergence,
  queryResults,
  RunOutputWriter,
  SIMULATION_TABLES,
} from "../../src/output/mod.ts";
import { sampleRunResult } from "./helpers.ts";

const SCENARIOS = Number(Deno.args[0] ?? 2000);
const STAGES = 60;

function rows(table: keyof typeof SIMULATION_TABLES, entities: number, scenario: number) {
  const spec = SIMULATION_TABLES[table];
  const template = Object.fromEntries(
    spec.columns.map((c) => [c.name, c.nullable ? null : c.type === "boolean" ? false : 0]),
  );
  const out: Record<string, unknown>[] = [];
  for (let t = 0; t < STAGES; t++) {
    for (let e = 0; e < entities; e++) {
      const row: Record<string, unknown> = { ...template, stage_id: t };
      if ("block_id" in row) row.block_id = 0;
      if (spec.entityIdColumn) row[spec.entityIdColumn] = e;
      for (const c of spec.columns) {
        if (c.type === "float64" && !c.nullable) row[c.name] = scenario + t * 0.5 + e * 0.25;
      }
      if (table === "inflow_lags") row.lag_index = 1;
      out.push(row);
    }
  }
  return out;
}

async function time<T>(label: string, body: () => Promise<T>, describe: (r: T) => string) {
  const start = performance.now();
  const result = await body();
  const ms = performance.now() - start;
  console.log(`${label.padEnd(58)} ${ms.toFixed(0).padStart(7)} ms  ${describe(result)}`);
  return result;
}

const dir = await Deno.makeTempDir({ prefix: "cobre-measure-" });
try {
  const out = posix.join(dir, "output");
  const run = sampleRunResult(0);
  await time("write " + SCENARIOS + " scenarios (6 tables each) + commit", async () => {
    const writer = await RunOutputWriter.open(out, directFileAccess);
    await writer.writeTraining(run.training.convergence);
    for (let s = 0; s < SCENARIOS; s++) {
      await writer.writeScenario({
        scenario_id: s,
        tables: {
          costs: rows("costs", 1, s),
          hydros: rows("hydros", 10, s),
          thermals: rows("thermals", 20, s),
          buses: rows("buses", 4, s),
          exchanges: rows("exchanges", 5, s),
          inflow_lags: rows("inflow_lags", 10, s),
        },
      });
    }
    await writer.commit({
      producer: "measure",
      hostname: "localhost",
      solver: "highs",
      solver_version: null,
      started_at: "2026-01-01T00:00:00Z",
      completed_at: "2026-01-01T00:00:01Z",
      seed: 1,
      forward_passes: 1,
      stopping_mode: "any",
      policy_mode: "fresh",
      threads: 1,
      problem_dimensions: run.problem_dimensions,
    }, {
      simulation: {
        status: "complete",
        scenarios_total: SCENARIOS,
        scenarios_failed: 0,
        duration_ms: 0,
      },
    });
  }, () => "");

  const q = (filters: Record<string, unknown>, entity_type = "hydros") =>
    queryResults({ outputDir: out, entity_type, filters }, directFileAccess);
  const shape = (r: { rows: unknown[]; total_rows: number }) =>
    `rows=${r.rows.length} total_rows=${r.total_rows}`;
  await time("hydros, no filter, limit 1000 (footers only past limit)", () => q({}), shape);
  await time("hydros, no filter, limit 10000", () => q({ limit: 10000 }), shape);
  await time(
    "hydros, entity_id 3 + stage_range [10,20]",
    () => q({ entity_id: 3, stage_range: [10, 20] }),
    shape,
  );
  await time(
    "hydros, scenario_range [100,109], all columns",
    () => q({ scenario_range: [100, 109], limit: 10000 }),
    shape,
  );
  await time(
    "hydros, 1 column, scenario_range [0,0]",
    () => q({ columns: ["generation_mw"], scenario_range: [0, 0] }),
    shape,
  );
  await time(
    "thermals, entity_id 7, limit 10000",
    () => q({ entity_id: 7, limit: 10000 }, "thermals"),
    shape,
  );
  await time("export csv hydros entity 3 (all scenarios)", () =>
    exportResults(
      { outputDir: out, format: "csv", entity_type: "hydros", filters: { entity_id: 3 } },
      directFileAccess,
    ), (r) => `rows=${r.rows} bytes=${r.size_bytes}`);
  await time(
    "export arrow costs (all scenarios)",
    () =>
      exportResults({ outputDir: out, format: "arrow", entity_type: "costs" }, directFileAccess),
    (
      r,
    ) => `rows=${r.rows} bytes=${r.size_bytes}`,
  );
  await time("query convergence", () => queryConvergence({ outputDir: out }, directFileAccess), (
    r,
  ) => `iterations=${r.iterations.length}`);
  await inspectPolicy({ policyDir: out }, directFileAccess).catch(() => null);
} finally {
  await Deno.remove(dir, { recursive: true });
}
