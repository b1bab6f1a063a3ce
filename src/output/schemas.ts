/**
 * Column tables of every Parquet file this layer writes or reads, defined once and used by the
 * writers (physical types, nullability), the readers (valid column names, entity id column) and
 * the exports (Arrow types).
 *
 * Source: Cobre `book/src/reference/output-format.md` and `crates/cobre-io/src/output/schemas.rs`
 * (the Arrow schemas the real `cobre` CLI writes). Spec shorthand used below:
 * `i8`/`i32`/`i64`/`f64`/`bool` with a trailing `?` for a nullable column.
 *
 * @module
 */

/** Logical column type, named after the Arrow type Cobre declares. */
export type ColumnType = "int8" | "int32" | "int64" | "float64" | "boolean";

/** One column: its exact name, type and whether nulls are allowed. */
export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
}

/** One Parquet table of the output directory. */
export interface TableSpec {
  /** Short name (`hydros`, `convergence`). */
  readonly name: string;
  /**
   * Path relative to the output directory: the partitioned directory for simulation tables
   * (`simulation/hydros`), the file itself otherwise (`training/convergence.parquet`).
   */
  readonly path: string;
  /** True for Hive-partitioned tables (`<path>/scenario_id=NNNN/data.parquet`). */
  readonly partitioned: boolean;
  /** Column holding the entity id (`hydro_id`), null for tables without entities (`costs`). */
  readonly entityIdColumn: string | null;
  /** Code of the entity type in `training/dictionaries/entities.csv`, when it has one. */
  readonly entityTypeCode: number | null;
  readonly columns: readonly ColumnSpec[];
}

type Shorthand = "i8" | "i32" | "i64" | "f64" | "bool";
const SHORTHAND: Record<Shorthand, ColumnType> = {
  i8: "int8",
  i32: "int32",
  i64: "int64",
  f64: "float64",
  bool: "boolean",
};

function columns(spec: Record<string, `${Shorthand}` | `${Shorthand}?`>): ColumnSpec[] {
  return Object.entries(spec).map(([name, short]) => {
    const nullable = short.endsWith("?");
    const base = (nullable ? short.slice(0, -1) : short) as Shorthand;
    return { name, type: SHORTHAND[base], nullable };
  });
}

function simulationTable(
  name: string,
  dir: string,
  entityIdColumn: string | null,
  entityTypeCode: number | null,
  spec: Record<string, `${Shorthand}` | `${Shorthand}?`>,
): TableSpec {
  return {
    name,
    path: `simulation/${dir}`,
    partitioned: true,
    entityIdColumn,
    entityTypeCode,
    columns: columns(spec),
  };
}

/** `training/convergence.parquet`: one row per training iteration (13 columns). */
export const CONVERGENCE_TABLE: TableSpec = {
  name: "convergence",
  path: "training/convergence.parquet",
  partitioned: false,
  entityIdColumn: null,
  entityTypeCode: null,
  columns: columns({
    iteration: "i32",
    lower_bound: "f64",
    upper_bound_mean: "f64",
    upper_bound_std: "f64",
    gap_percent: "f64?",
    cuts_added: "i32",
    cuts_removed: "i32",
    cuts_active: "i64",
    time_forward_ms: "i64",
    time_backward_ms: "i64",
    time_total_ms: "i64",
    forward_passes: "i32",
    lp_solves: "i64",
  }),
};

/** `simulation/costs/`: one row per (stage, block) (26 columns). */
export const COSTS_TABLE = simulationTable("costs", "costs", null, null, {
  stage_id: "i32",
  block_id: "i32?",
  total_cost: "f64",
  immediate_cost: "f64",
  future_cost: "f64",
  discount_factor: "f64",
  thermal_cost: "f64",
  contract_cost: "f64",
  deficit_cost: "f64",
  excess_cost: "f64",
  storage_violation_cost: "f64",
  filling_target_cost: "f64",
  hydro_violation_cost: "f64",
  outflow_violation_below_cost: "f64",
  outflow_violation_above_cost: "f64",
  turbined_violation_cost: "f64",
  generation_violation_cost: "f64",
  evaporation_violation_cost: "f64",
  withdrawal_violation_cost: "f64",
  inflow_penalty_cost: "f64",
  generic_violation_cost: "f64",
  spillage_cost: "f64",
  fpha_turbined_cost: "f64",
  curtailment_cost: "f64",
  exchange_cost: "f64",
  pumping_cost: "f64",
});

/** `simulation/hydros/`: one row per (stage, block, hydro) (31 columns). */
export const HYDROS_TABLE = simulationTable("hydros", "hydros", "hydro_id", 0, {
  stage_id: "i32",
  block_id: "i32?",
  hydro_id: "i32",
  turbined_m3s: "f64",
  spillage_m3s: "f64",
  outflow_m3s: "f64",
  evaporation_m3s: "f64?",
  diverted_inflow_m3s: "f64?",
  diverted_outflow_m3s: "f64?",
  incremental_inflow_m3s: "f64",
  inflow_m3s: "f64",
  storage_initial_hm3: "f64",
  storage_final_hm3: "f64",
  generation_mw: "f64",
  generation_mwh: "f64",
  productivity_mw_per_m3s: "f64?",
  spillage_cost: "f64",
  water_value_per_hm3: "f64",
  storage_binding_code: "i8",
  operative_state_code: "i8",
  turbined_slack_m3s: "f64",
  outflow_slack_below_m3s: "f64",
  outflow_slack_above_m3s: "f64",
  generation_slack_mw: "f64",
  storage_violation_below_hm3: "f64",
  filling_target_violation_hm3: "f64",
  evaporation_violation_pos_m3s: "f64",
  evaporation_violation_neg_m3s: "f64",
  inflow_nonnegativity_slack_m3s: "f64",
  water_withdrawal_violation_pos_m3s: "f64",
  water_withdrawal_violation_neg_m3s: "f64",
});

/** `simulation/thermals/`: one row per (stage, block, thermal) (10 columns). */
export const THERMALS_TABLE = simulationTable("thermals", "thermals", "thermal_id", 1, {
  stage_id: "i32",
  block_id: "i32?",
  thermal_id: "i32",
  generation_mw: "f64",
  generation_mwh: "f64",
  generation_cost: "f64",
  is_gnl: "bool",
  gnl_committed_mw: "f64?",
  gnl_decision_mw: "f64?",
  operative_state_code: "i8",
});

/** `simulation/exchanges/`: one row per (stage, block, line) (11 columns). */
export const EXCHANGES_TABLE = simulationTable("exchanges", "exchanges", "line_id", 3, {
  stage_id: "i32",
  block_id: "i32?",
  line_id: "i32",
  direct_flow_mw: "f64",
  reverse_flow_mw: "f64",
  net_flow_mw: "f64",
  net_flow_mwh: "f64",
  losses_mw: "f64",
  losses_mwh: "f64",
  exchange_cost: "f64",
  operative_state_code: "i8",
});

/** `simulation/buses/`: one row per (stage, block, bus) (10 columns). */
export const BUSES_TABLE = simulationTable("buses", "buses", "bus_id", 2, {
  stage_id: "i32",
  block_id: "i32?",
  bus_id: "i32",
  load_mw: "f64",
  load_mwh: "f64",
  deficit_mw: "f64",
  deficit_mwh: "f64",
  excess_mw: "f64",
  excess_mwh: "f64",
  spot_price: "f64",
});

/** `simulation/pumping_stations/`: one row per (stage, block, station) (9 columns). */
export const PUMPING_STATIONS_TABLE = simulationTable(
  "pumping_stations",
  "pumping_stations",
  "pumping_station_id",
  4,
  {
    stage_id: "i32",
    block_id: "i32?",
    pumping_station_id: "i32",
    pumped_flow_m3s: "f64",
    pumped_volume_hm3: "f64",
    power_consumption_mw: "f64",
    energy_consumption_mwh: "f64",
    pumping_cost: "f64",
    operative_state_code: "i8",
  },
);

/** `simulation/contracts/`: one row per (stage, block, contract) (8 columns). */
export const CONTRACTS_TABLE = simulationTable("contracts", "contracts", "contract_id", 5, {
  stage_id: "i32",
  block_id: "i32?",
  contract_id: "i32",
  power_mw: "f64",
  energy_mwh: "f64",
  price_per_mwh: "f64",
  total_cost: "f64",
  operative_state_code: "i8",
});

/** `simulation/non_controllables/`: one row per (stage, block, source) (10 columns). */
export const NON_CONTROLLABLES_TABLE = simulationTable(
  "non_controllables",
  "non_controllables",
  "non_controllable_id",
  7,
  {
    stage_id: "i32",
    block_id: "i32?",
    non_controllable_id: "i32",
    generation_mw: "f64",
    generation_mwh: "f64",
    available_mw: "f64",
    curtailment_mw: "f64",
    curtailment_mwh: "f64",
    curtailment_cost: "f64",
    operative_state_code: "i8",
  },
);

/** `simulation/inflow_lags/`: one row per (stage, hydro, lag); no block dimension (4 columns). */
export const INFLOW_LAGS_TABLE = simulationTable("inflow_lags", "inflow_lags", "hydro_id", 0, {
  stage_id: "i32",
  hydro_id: "i32",
  lag_index: "i32",
  inflow_m3s: "f64",
});

/** `simulation/violations/generic/`: one row per violated (stage, block, constraint). */
export const GENERIC_VIOLATIONS_TABLE = simulationTable(
  "generic_violations",
  "violations/generic",
  "constraint_id",
  null,
  {
    stage_id: "i32",
    block_id: "i32?",
    constraint_id: "i32",
    slack_value: "f64",
    slack_cost: "f64",
  },
);

/** Every Hive-partitioned simulation table, keyed by its short name. */
export const SIMULATION_TABLES = {
  costs: COSTS_TABLE,
  hydros: HYDROS_TABLE,
  thermals: THERMALS_TABLE,
  exchanges: EXCHANGES_TABLE,
  buses: BUSES_TABLE,
  pumping_stations: PUMPING_STATIONS_TABLE,
  contracts: CONTRACTS_TABLE,
  non_controllables: NON_CONTROLLABLES_TABLE,
  inflow_lags: INFLOW_LAGS_TABLE,
  generic_violations: GENERIC_VIOLATIONS_TABLE,
} as const satisfies Record<string, TableSpec>;

/** Short name of a simulation table (`hydros`, `exchanges`, ...). */
export type SimulationTableName = keyof typeof SIMULATION_TABLES;

/**
 * Entity types accepted by `queryResults` and `exportResults`: the five of the MCP spec
 * (`lines` reads `simulation/exchanges`) plus the other Cobre simulation tables.
 */
export const QUERY_ENTITY_TYPES = {
  hydros: HYDROS_TABLE,
  thermals: THERMALS_TABLE,
  buses: BUSES_TABLE,
  lines: EXCHANGES_TABLE,
  costs: COSTS_TABLE,
  contracts: CONTRACTS_TABLE,
  pumping_stations: PUMPING_STATIONS_TABLE,
  non_controllables: NON_CONTROLLABLES_TABLE,
  inflow_lags: INFLOW_LAGS_TABLE,
  generic_violations: GENERIC_VIOLATIONS_TABLE,
} as const satisfies Record<string, TableSpec>;

/** Entity type name accepted by the queries. */
export type QueryEntityType = keyof typeof QUERY_ENTITY_TYPES;

/** Name of the Hive partition column added to every simulation row. */
export const SCENARIO_COLUMN = "scenario_id";

/** File name of the single Parquet file inside each `scenario_id=NNNN` partition. */
export const PARTITION_FILE = "data.parquet";

/** Directory name of a scenario partition: four-digit zero padding as Cobre writes it. */
export function partitionDirName(scenarioId: number): string {
  return `${SCENARIO_COLUMN}=${String(scenarioId).padStart(4, "0")}`;
}

/** Arrow type name of a column type, as Cobre's `variables.csv` spells it. */
export function arrowTypeName(type: ColumnType): string {
  switch (type) {
    case "int8":
      return "Int8";
    case "int32":
      return "Int32";
    case "int64":
      return "Int64";
    case "float64":
      return "Float64";
    case "boolean":
      return "Boolean";
  }
}
