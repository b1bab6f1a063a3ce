import assert from "node:assert/strict";
import { posix } from "node:path";
import { parquetMetadata } from "hyparquet";
import {
  type ColumnType,
  CONVERGENCE_TABLE,
  partitionDirName,
  QUERY_ENTITY_TYPES,
  SIMULATION_TABLES,
  type TableSpec,
} from "../../src/output/mod.ts";
import { CLI_FIXTURE } from "./helpers.ts";

Deno.test("column tables have the column counts of output-format.md", () => {
  const counts: [TableSpec, number][] = [
    [CONVERGENCE_TABLE, 13],
    [SIMULATION_TABLES.costs, 26],
    [SIMULATION_TABLES.hydros, 31],
    [SIMULATION_TABLES.thermals, 10],
    [SIMULATION_TABLES.exchanges, 11],
    [SIMULATION_TABLES.buses, 10],
    [SIMULATION_TABLES.pumping_stations, 9],
    [SIMULATION_TABLES.contracts, 8],
    [SIMULATION_TABLES.non_controllables, 10],
    [SIMULATION_TABLES.inflow_lags, 4],
    [SIMULATION_TABLES.generic_violations, 5],
  ];
  for (const [table, count] of counts) {
    assert.equal(table.columns.length, count, table.name);
    assert.equal(new Set(table.columns.map((c) => c.name)).size, count, `${table.name} duplicates`);
  }
});

Deno.test("nullable columns are exactly the ones output-format.md marks nullable", () => {
  const nullable = Object.fromEntries(
    [CONVERGENCE_TABLE, ...Object.values(SIMULATION_TABLES)].map((t) => [
      t.name,
      t.columns.filter((c) => c.nullable).map((c) => c.name),
    ]),
  );
  assert.deepEqual(nullable, {
    convergence: ["gap_percent"],
    costs: ["block_id"],
    hydros: [
      "block_id",
      "evaporation_m3s",
      "diverted_inflow_m3s",
      "diverted_outflow_m3s",
      "productivity_mw_per_m3s",
    ],
    thermals: ["block_id", "gnl_committed_mw", "gnl_decision_mw"],
    exchanges: ["block_id"],
    buses: ["block_id"],
    pumping_stations: ["block_id"],
    contracts: ["block_id"],
    non_controllables: ["block_id"],
    inflow_lags: [],
    generic_violations: ["block_id"],
  });
});

/** The Parquet physical type (and INT_8 annotation) a column type maps to. */
function physical(type: ColumnType): string {
  return {
    int8: "INT32/INT_8",
    int32: "INT32",
    int64: "INT64",
    float64: "DOUBLE",
    boolean: "BOOLEAN",
  }[
    type
  ];
}

Deno.test("column tables match, name for name and type for type, the real-CLI fixture files", async () => {
  // The fixture's columns were transcribed independently from cobre-io's schemas.rs.
  const files: [TableSpec, string][] = [
    [CONVERGENCE_TABLE, CONVERGENCE_TABLE.path],
    ...(["costs", "hydros", "thermals", "exchanges", "buses", "inflow_lags"] as const).map((
      name,
    ): [TableSpec, string] => [
      SIMULATION_TABLES[name],
      posix.join(SIMULATION_TABLES[name].path, partitionDirName(0), "data.parquet"),
    ]),
  ];
  for (const [table, relative] of files) {
    const bytes = await Deno.readFile(posix.join(CLI_FIXTURE, relative));
    const schema = parquetMetadata(bytes.buffer as ArrayBuffer).schema.slice(1);
    assert.deepEqual(
      schema.map((e) => `${e.name}:${e.type}${e.converted_type === "INT_8" ? "/INT_8" : ""}`),
      table.columns.map((c) => `${c.name}:${physical(c.type)}`),
      table.name,
    );
  }
});

Deno.test("query entity types cover the spec's five and map lines to simulation/exchanges", () => {
  for (const name of ["hydros", "thermals", "buses", "lines", "costs"]) {
    assert.ok(name in QUERY_ENTITY_TYPES, name);
  }
  assert.equal(QUERY_ENTITY_TYPES.lines.path, "simulation/exchanges");
  assert.equal(QUERY_ENTITY_TYPES.lines.entityIdColumn, "line_id");
  assert.equal(QUERY_ENTITY_TYPES.costs.entityIdColumn, null);
});
