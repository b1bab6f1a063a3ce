/**
 * Cobre output directories: writers (Parquet, FlatBuffers, manifests, atomic publication),
 * readers, filtered queries and exports. Every read and write goes through a `FileAccess` from
 * `src/common`, so the sandbox sits under all I/O.
 *
 * Layout and types follow Cobre's `output-format.md`, `flatbuffers-schema.md` and
 * `crates/cobre-io/schemas/policy.fbs`; outputs of the real `cobre` CLI are read as well as ours.
 *
 * @example
 * ```ts
 * import { directFileAccess } from "../common/mod.ts";
 * import { queryResults } from "./mod.ts";
 * const table = await queryResults(
 *   { outputDir: "/data/case/output", entity_type: "hydros", filters: { scenario_range: [0, 9] } },
 *   directFileAccess,
 * );
 * ```
 *
 * @module
 */

// Column tables (declarative schemas of every Parquet file).
export {
  /** Arrow type name of a column type (`Int32`, `Float64`, ...). */
  arrowTypeName,
  /** `simulation/buses/` columns. */
  BUSES_TABLE,
  type ColumnSpec,
  type ColumnType,
  /** `simulation/contracts/` columns. */
  CONTRACTS_TABLE,
  /** `training/convergence.parquet` columns. */
  CONVERGENCE_TABLE,
  /** `simulation/costs/` columns. */
  COSTS_TABLE,
  /** `simulation/exchanges/` columns (the `lines` entity type). */
  EXCHANGES_TABLE,
  /** `simulation/violations/generic/` columns. */
  GENERIC_VIOLATIONS_TABLE,
  /** `simulation/hydros/` columns. */
  HYDROS_TABLE,
  /** `simulation/inflow_lags/` columns. */
  INFLOW_LAGS_TABLE,
  /** `simulation/non_controllables/` columns. */
  NON_CONTROLLABLES_TABLE,
  /** File name inside each scenario partition (`data.parquet`). */
  PARTITION_FILE,
  /** Directory name of a scenario partition (`scenario_id=0007`). */
  partitionDirName,
  /** `simulation/pumping_stations/` columns. */
  PUMPING_STATIONS_TABLE,
  /** Entity types accepted by queries and exports, mapped to their tables. */
  QUERY_ENTITY_TYPES,
  type QueryEntityType,
  /** Name of the Hive partition column (`scenario_id`). */
  SCENARIO_COLUMN,
  /** Every simulation table by short name. */
  SIMULATION_TABLES,
  type SimulationTableName,
  type TableSpec,
  /** `simulation/thermals/` columns. */
  THERMALS_TABLE,
} from "./schemas.ts";

// Writing.
export {
  type CellValue,
  /** Encodes rows as a Parquet file with a table's exact physical types. */
  encodeParquet,
  type Row,
} from "./parquet_write.ts";
export {
  /** Decodes a `StageBasis` FlatBuffer (bounds-checked). */
  decodeStageBasis,
  /** Decodes a `StageCuts` FlatBuffer (bounds-checked). */
  decodeStageCuts,
  /** Decodes a `StageStates` FlatBuffer (bounds-checked). */
  decodeStageStates,
  /** Encodes a `StageBasis` FlatBuffer. */
  encodeStageBasis,
  /** Encodes a `StageCuts` FlatBuffer (policy/cuts/stage_NNN.bin). */
  encodeStageCuts,
  /** Encodes a `StageStates` FlatBuffer. */
  encodeStageStates,
  /** `stage_NNN.bin` → stage id, null for other names. */
  parseStageFileName,
  type PolicyCut,
  /** Thrown by the FlatBuffers decoders on malformed input. */
  PolicyDecodeError,
  type PolicyStageBasis,
  type PolicyStageCuts,
  type PolicyStageStates,
  /** Stage id → `stage_NNN.bin`. */
  stageFileName,
} from "./policy_fbs.ts";
export {
  /** Creates a hidden staging directory next to a target directory. */
  createStaging,
  /** Removes a staging directory after a failure. */
  discardStaging,
  type LeftoverKind,
  /** Which hidden leftover (`staging`, `previous`) a sibling name of an output is, or null. */
  leftoverKind,
  /** Publishes a staging directory onto its target in one rename. */
  publishStaging,
  /** The owner a staging directory's marker names, or null (none, unreadable, malformed). */
  readStagingOwner,
  /** Name of the owner marker inside a staging directory (`_STAGING.json`). */
  STAGING_MARKER,
  type StagingArea,
  type StagingOwner,
  /** Writes one file via a hidden temporary sibling and a rename. */
  writeFileAtomic,
} from "./atomic.ts";
export {
  /** Builds `training/dictionaries/entities.csv`. */
  entitiesCsv,
  type EntityEntry,
  type PolicyOutput,
  /** Incremental, atomic writer of a whole output directory. */
  RunOutputWriter,
  type ScenarioTables,
} from "./run_writer.ts";
export {
  /** Producer string written by default (`cobre-mcp`). */
  DEFAULT_PRODUCER,
  /** Writes training, policy and manifests after the scenarios, then publishes the output. */
  finishRunOutput,
  /** Policy checkpoint of an engine training result. */
  policyOutputOf,
  /** Metadata run info of an engine result. */
  runInfoOf,
  type RunOutcomeOptions,
  type RunOutputContext,
  /** Hive partitions of one engine scenario result. */
  scenarioTablesOf,
  /** Manifest summary of an engine training result. */
  trainingSummaryOf,
  /** Writes an engine `RunResult` as a complete Cobre output directory, atomically. */
  writeRunOutput,
} from "./write_run.ts";
export {
  /** Manifest schema version we write. */
  MANIFEST_VERSION,
  type PolicyMetadata,
  type PolicyMetadataSummary,
  /** Reads `policy/metadata.json`. */
  readPolicyMetadata,
  /** Reads the simulation manifest (documented or CLI layout). */
  readSimulationStatus,
  /** Reads the training manifest (documented or CLI layout). */
  readTrainingStatus,
  type RunInfo,
  type SimulationStatus,
  type SimulationSummary,
  type TrainingStatus,
  type TrainingSummary,
} from "./manifests.ts";

// Reading and querying.
export {
  type JsonTable,
  /** Row cap of JSON responses (10,000). */
  MAX_JSON_ROWS,
  /** Converts one decoded Parquet value to JSON (SS3.2). */
  parquetValueToJson,
  /** Reads a whole Parquet file as capped JSON rows (SS3.2). */
  readParquetJson,
} from "./json_values.ts";
export {
  /** Opens a Parquet file through `ReadAccess` and parses its footer. */
  openParquet,
  type ParquetSource,
  /** Reads selected columns of a row range. */
  readParquetRows,
} from "./parquet_read.ts";
export {
  /** Lists the `scenario_id=NNNN` partitions of a simulation table. */
  listScenarioPartitions,
  type ScenarioPartition,
} from "./partitions.ts";
export {
  /** Entity dictionary path inside an output (`training/dictionaries/entities.csv`). */
  ENTITIES_CSV,
  type EntityIdFilter,
  type EntityNames,
  /** Resolves `entity_id` filters (ids or names) to integer ids. */
  resolveEntityIds,
} from "./entity_ids.ts";
export {
  /** Default `limit` of query-results (1,000). */
  DEFAULT_QUERY_LIMIT,
  /** cobre/query-results: filtered simulation rows. */
  queryResults,
  type QueryResultsRequest,
  /** Resolves an entity type name to its table, or fails listing the valid ones. */
  resolveEntityType,
  type ResultFilters,
} from "./query_results.ts";
export {
  type ConvergenceHistory,
  type ConvergenceIteration,
  /** cobre/query-convergence: SS2.4 records derived from convergence.parquet. */
  queryConvergence,
  type QueryConvergenceRequest,
} from "./query_convergence.ts";
export {
  /** cobre/inspect-policy: summary or 1-based stage detail. */
  inspectPolicy,
  type InspectPolicyRequest,
  /** Finds a policy's cut files (accepts an output directory too). */
  locatePolicy,
  type PolicyLocation,
  type PolicyStageDetail,
  type PolicySummary,
  /** Summary of a located policy (the policy summary resource, SS3.3). */
  summarizePolicy,
} from "./policy_read.ts";
export {
  type ComparedPolicy,
  /** cobre/compare-policies: metrics, compatibility and deltas. */
  comparePolicies,
  type ComparePoliciesRequest,
  /** Metric groups accepted by compare-policies. */
  POLICY_METRICS,
  type PolicyComparison,
  type PolicyDeltas,
} from "./policy_compare.ts";
export {
  /** Formats accepted by export-results. */
  EXPORT_FORMATS,
  /** Largest export in rows. */
  EXPORT_MAX_ROWS,
  type ExportFormat,
  type ExportResult,
  /** cobre/export-results: CSV/JSON/Arrow under output_dir/exports/, atomically. */
  exportResults,
  type ExportResultsRequest,
  /** Directory of exports inside an output (`exports`). */
  EXPORTS_DIR,
} from "./export_results.ts";
