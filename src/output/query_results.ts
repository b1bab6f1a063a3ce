/**
 * `cobre/query-results` (MCP spec SS2.3): filtered rows of a Hive-partitioned simulation table.
 *
 * Cheap by construction:
 * - `scenario_range` selects partitions from the directory listing; no file outside it is opened;
 * - `columns` fetches only those column chunks (ranged reads through `ReadAccess.openFile`);
 * - without row filters, `total_rows` comes from Parquet footers and data is decoded only until
 *   `limit` rows are collected; with `entity_id`/`stage_range`, only the filter columns are
 *   decoded for counting, and the requested columns only for rows that are returned.
 *
 * Conventions: `stage_range` and `scenario_range` are inclusive and compare against the values
 * stored in the files (`stage_id` and `scenario_id` are 0-based in Cobre output). Rows come in
 * scenario order, then file order; `scenario_id` (from the partition directory) is the first
 * column unless `columns` says otherwise.
 *
 * @module
 */
import { posix } from "node:path";
import type { SchemaElement } from "hyparquet";
import type { JsonValue, ReadAccess } from "../common/mod.ts";
import { type EntityIdFilter, type EntityNames, resolveEntityIds } from "./entity_ids.ts";
import { invalidArgument, invalidChoice, outputCorrupted, outputNotFound } from "./errors.ts";
import {
  type JsonTable,
  type LeafColumn,
  leafColumns,
  leafValue,
  MAX_JSON_ROWS,
} from "./json_values.ts";
import { openParquet, type ParquetSource, readParquetRows } from "./parquet_read.ts";
import { listScenarioPartitions, type ScenarioPartition } from "./partitions.ts";
import {
  type ColumnType,
  QUERY_ENTITY_TYPES,
  type QueryEntityType,
  SCENARIO_COLUMN,
  type TableSpec,
} from "./schemas.ts";

/** Filters of `cobre/query-results` (and, without `columns`/`limit`, of export-results). */
export interface ResultFilters {
  entity_id?: EntityIdFilter;
  stage_range?: readonly number[];
  scenario_range?: readonly number[];
  columns?: readonly string[];
  /** 1..10,000, default 1,000. */
  limit?: number;
}

/** Arguments of `queryResults`. */
export interface QueryResultsRequest {
  outputDir: string;
  entity_type: string;
  filters?: ResultFilters;
  /** Entity names from the case (name → id), for `entity_id` given as names. */
  entityNames?: EntityNames;
}

/** Default `limit` of the spec. */
export const DEFAULT_QUERY_LIMIT = 1000;

/** How a result column is typed, for exports that keep types (Arrow). */
export type ResultColumnType = ColumnType | "utf8" | "other";

/** A scan result: JSON rows plus the column types (and nullability) they came from. */
export interface ScanResult extends JsonTable {
  columnTypes: ResultColumnType[];
  columnNullable: boolean[];
}

/** How many partitions are open at once while counting. */
const PARTITION_WINDOW = 16;

/** Resolves an entity type name to its table, or fails listing the valid names. */
export function resolveEntityType(entityType: string): TableSpec {
  const table = QUERY_ENTITY_TYPES[entityType as QueryEntityType];
  if (!table) throw invalidChoice("entity_type", entityType, Object.keys(QUERY_ENTITY_TYPES));
  return table;
}

/** Validates an inclusive `[min, max]` integer range. */
export function parseRange(
  argument: string,
  range: readonly number[] | undefined,
): [number, number] | null {
  if (range === undefined) return null;
  const [min, max] = range;
  if (
    range.length !== 2 || !Number.isInteger(min) || !Number.isInteger(max) ||
    (min as number) > (max as number)
  ) {
    throw invalidArgument(
      argument,
      `${argument} must be two integers [min, max] with min <= max, got ${JSON.stringify(range)}`,
    );
  }
  return [min as number, max as number];
}

function parseLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_QUERY_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_JSON_ROWS) {
    throw invalidArgument("filters.limit", `limit must be an integer in 1..${MAX_JSON_ROWS}`);
  }
  return limit;
}

/** Maps a Parquet schema element to the column type it carries. */
export function columnTypeOf(element: SchemaElement): ResultColumnType {
  switch (element.type) {
    case "BOOLEAN":
      return "boolean";
    case "INT64":
      return "int64";
    case "DOUBLE":
    case "FLOAT":
      return "float64";
    case "INT32": {
      const annotation = element.converted_type;
      if (annotation === "INT_8") return "int8";
      if (element.logical_type?.type === "INTEGER" && element.logical_type.bitWidth === 8) {
        return "int8";
      }
      return annotation === "DATE" ? "other" : "int32";
    }
    case "BYTE_ARRAY":
      return element.converted_type === "UTF8" || element.logical_type?.type === "STRING"
        ? "utf8"
        : "other";
    default:
      return "other";
  }
}

/** True unless the leaf and every group above it are REQUIRED. */
export function isNullable(leaf: LeafColumn): boolean {
  return leaf.node.element.repetition_type !== "REQUIRED" || leaf.path.length > 0;
}

interface Selection {
  /** Output column names in order. */
  names: string[];
  /** For each output column: the leaf to read, or null for the partition's scenario id. */
  leaves: (LeafColumn | null)[];
  /** Top-level Parquet columns to fetch. */
  topLevel: string[];
}

function selectColumns(
  available: LeafColumn[],
  requested: readonly string[] | undefined,
): Selection {
  const byName = new Map(available.map((leaf) => [leaf.name, leaf]));
  const names = requested ? [...requested] : [SCENARIO_COLUMN, ...available.map((l) => l.name)];
  if (names.length === 0) {
    throw invalidArgument("filters.columns", "filters.columns must name at least one column");
  }
  const leaves = names.map((name) => {
    if (name === SCENARIO_COLUMN) return null;
    const leaf = byName.get(name);
    if (!leaf) {
      throw invalidChoice("column", name, [SCENARIO_COLUMN, ...available.map((l) => l.name)]);
    }
    return leaf;
  });
  const topLevel = [...new Set(leaves.flatMap((leaf) => leaf ? [leaf.topLevel] : []))];
  return { names, leaves, topLevel };
}

interface RowFilter {
  stageRange: [number, number] | null;
  entityIds: Set<number> | null;
  entityColumn: string | null;
}

/** Indices of the rows of `source` that pass the row filter (decoding only filter columns). */
async function matchingRows(source: ParquetSource, filter: RowFilter): Promise<number[]> {
  const filterColumns: string[] = [];
  if (filter.stageRange) filterColumns.push("stage_id");
  if (filter.entityIds && filter.entityColumn) filterColumns.push(filter.entityColumn);
  for (const column of filterColumns) {
    if (!source.columns.some((c) => c.name === column)) {
      throw outputCorrupted(source.displayName, `missing column "${column}"`);
    }
  }
  const cells = await readParquetRows(source, filterColumns, 0, source.numRows);
  const stageAt = filter.stageRange ? 0 : -1;
  const entityAt = filter.entityIds ? filterColumns.length - 1 : -1;
  const matches: number[] = [];
  for (let i = 0; i < cells.length; i++) {
    const row = cells[i] as unknown[];
    if (stageAt >= 0 && filter.stageRange) {
      const stage = Number(row[stageAt]);
      if (!(stage >= filter.stageRange[0] && stage <= filter.stageRange[1])) continue;
    }
    if (entityAt >= 0 && filter.entityIds && !filter.entityIds.has(Number(row[entityAt]))) {
      continue;
    }
    matches.push(i);
  }
  return matches;
}

/** Decodes the selected columns of rows `[start, end)` of one partition into JSON rows. */
async function jsonRowsInRange(
  source: ParquetSource,
  partition: ScenarioPartition,
  selection: Selection,
  start: number,
  end: number,
): Promise<JsonValue[][]> {
  if (end <= start) return [];
  const cells = await readParquetRows(source, selection.topLevel, start, end);
  const position = new Map(selection.topLevel.map((name, i) => [name, i]));
  return cells.map((cellRow) =>
    selection.leaves.map((leaf) =>
      leaf === null
        ? partition.scenarioId
        : leafValue(cellRow[position.get(leaf.topLevel) as number], leaf)
    )
  );
}

/** Decodes the selected columns of the rows at sorted `indices` (one ranged read). */
async function jsonRowsAt(
  source: ParquetSource,
  partition: ScenarioPartition,
  selection: Selection,
  indices: readonly number[],
): Promise<JsonValue[][]> {
  const first = indices[0];
  const last = indices.at(-1);
  if (first === undefined || last === undefined) return [];
  const rows = await jsonRowsInRange(source, partition, selection, first, last + 1);
  return indices.map((i) => rows[i - first] as JsonValue[]);
}

/** The result columns of a table when no partition exists to read them from. */
function declaredSelection(table: TableSpec, requested: readonly string[] | undefined) {
  const byName = new Map<string, { type: ResultColumnType; nullable: boolean }>([
    [SCENARIO_COLUMN, { type: "int32", nullable: false }],
    ...table.columns.map((c): [string, { type: ResultColumnType; nullable: boolean }] => [
      c.name,
      { type: c.type, nullable: c.nullable },
    ]),
  ]);
  const names = requested ? [...requested] : [...byName.keys()];
  const specs = names.map((name) => {
    const spec = byName.get(name);
    if (!spec) throw invalidChoice("column", name, [...byName.keys()]);
    return spec;
  });
  return { names, types: specs.map((s) => s.type), nullable: specs.map((s) => s.nullable) };
}

/**
 * Scans a simulation table with filters, collecting at most `limit` rows while counting every
 * match. Shared by `queryResults` (limit ≤ 10,000) and `exportResults` (larger caps).
 */
export async function scanResults(
  request: QueryResultsRequest,
  access: ReadAccess,
  limit: number,
): Promise<ScanResult> {
  const table = resolveEntityType(request.entity_type);
  const filters = request.filters ?? {};
  const stageRange = parseRange("filters.stage_range", filters.stage_range);
  const scenarioRange = parseRange("filters.scenario_range", filters.scenario_range);
  const outputDir = request.outputDir;

  const outputInfo = await access.stat(outputDir);
  if (outputInfo === null || !outputInfo.isDirectory) {
    throw outputNotFound(outputDir, "Cobre output directory with simulation/ results");
  }
  const simulationDir = posix.join(outputDir, "simulation");
  if ((await access.stat(simulationDir)) === null) {
    throw outputNotFound(
      simulationDir,
      "simulation/<entity>/scenario_id=NNNN/data.parquet partitions",
      "The output has no simulation results; run the study with simulation enabled.",
    );
  }
  const entityIds = filters.entity_id === undefined ? null : new Set(
    await resolveEntityIds(filters.entity_id, table, access, outputDir, request.entityNames),
  );
  const tableInfo = await access.stat(posix.join(outputDir, table.path));
  const partitions = tableInfo?.isDirectory
    ? await listScenarioPartitions(access, outputDir, table.path, scenarioRange)
    : [];
  if (partitions.length === 0) {
    // Cobre writes no directory for entity types the case does not have: an empty table.
    const { names, types, nullable } = declaredSelection(table, filters.columns);
    return {
      columns: names,
      rows: [],
      total_rows: 0,
      truncated: false,
      columnTypes: types,
      columnNullable: nullable,
    };
  }

  const filter: RowFilter = { stageRange, entityIds, entityColumn: table.entityIdColumn };
  const hasRowFilter = stageRange !== null || entityIds !== null;
  const rows: JsonValue[][] = [];
  let total = 0;
  let selection: Selection | null = null;
  let columnTypes: ResultColumnType[] = [];
  let columnNullable: boolean[] = [];

  for (let offset = 0; offset < partitions.length; offset += PARTITION_WINDOW) {
    const window = partitions.slice(offset, offset + PARTITION_WINDOW);
    const sources = await Promise.allSettled(
      window.map((p) => openParquet(access, p.file, posix.join(outputDir, p.relativeFile))),
    );
    try {
      const opened = sources.map((s) => {
        if (s.status === "rejected") throw s.reason;
        return s.value;
      });
      if (selection === null) {
        const first = opened[0] as ParquetSource;
        selection = selectColumns(leafColumns(first.columns), filters.columns);
        columnTypes = selection.leaves.map((leaf) =>
          leaf === null ? "int32" : columnTypeOf(leaf.node.element)
        );
        columnNullable = selection.leaves.map((leaf) => leaf !== null && isNullable(leaf));
      }
      const chosen: Selection = selection;
      for (const source of opened) {
        for (const name of chosen.topLevel) {
          if (!source.columns.some((c) => c.name === name)) {
            throw outputCorrupted(source.displayName, `missing column "${name}"`);
          }
        }
      }
      const matches = hasRowFilter
        ? await Promise.all(opened.map((source) => matchingRows(source, filter)))
        : null;
      for (let i = 0; i < opened.length; i++) {
        const source = opened[i] as ParquetSource;
        const partition = window[i] as ScenarioPartition;
        const matched = matches?.[i];
        const count = matched ? matched.length : source.numRows;
        const room = limit - rows.length;
        total += count;
        if (room <= 0 || count === 0) continue;
        const chunk = matched
          ? await jsonRowsAt(source, partition, chosen, matched.slice(0, room))
          : await jsonRowsInRange(source, partition, chosen, 0, Math.min(count, room));
        for (const row of chunk) rows.push(row);
      }
    } finally {
      for (const s of sources) if (s.status === "fulfilled") s.value.close();
    }
  }
  const names = (selection as Selection).names;
  return {
    columns: names,
    rows,
    total_rows: total,
    truncated: total > rows.length,
    columnTypes,
    columnNullable,
  };
}

/**
 * Filtered rows of a simulation table as `{columns, rows, total_rows, truncated}` (SS2.3).
 * `entity_type` is one of `QUERY_ENTITY_TYPES` (`lines` reads `simulation/exchanges`).
 */
export async function queryResults(
  request: QueryResultsRequest,
  access: ReadAccess,
): Promise<JsonTable> {
  const limit = parseLimit(request.filters?.limit);
  const { columns, rows, total_rows, truncated } = await scanResults(request, access, limit);
  return { columns, rows, total_rows, truncated };
}
