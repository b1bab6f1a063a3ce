/**
 * `cobre/export-results` (MCP spec SS2.9): writes filtered results as CSV, JSON or an Arrow IPC
 * file under `<output_dir>/exports/`, atomically (hidden temporary file, then rename, so a
 * reader never sees half a file; an export with the same name is replaced).
 *
 * Formats: CSV with a header row (RFC 4180 quoting, empty field for null); JSON as an array of
 * row objects; Arrow IPC file format with the column types of the source Parquet (Int8, Int32,
 * Int64, Float64, Bool, Utf8). Values follow the SS3.2 JSON rules. Exports stop at
 * `EXPORT_MAX_ROWS` rows with an error asking for narrower filters, since the file is built in
 * memory.
 *
 * @module
 */
import { posix } from "node:path";
import {
  Bool,
  type DataType,
  Field,
  Float64,
  Int32,
  Int64,
  Int8,
  Schema,
  Table,
  tableToIPC,
  Utf8,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import { CobreError, errorRecord, type FileAccess, type JsonValue } from "../common/mod.ts";
import { writeFileAtomic } from "./atomic.ts";
import type { EntityIdFilter, EntityNames } from "./entity_ids.ts";
import { invalidArgument, invalidChoice, outputNotFound } from "./errors.ts";
import { leafColumns, leafValue } from "./json_values.ts";
import { openParquet, readParquetRows } from "./parquet_read.ts";
import {
  columnTypeOf,
  isNullable,
  type ResultColumnType,
  type ScanResult,
  scanResults,
} from "./query_results.ts";
import { CONVERGENCE_TABLE, QUERY_ENTITY_TYPES } from "./schemas.ts";

/** Export formats of the spec. */
export const EXPORT_FORMATS = ["csv", "json", "arrow"] as const;

/** An export format. */
export type ExportFormat = typeof EXPORT_FORMATS[number];

/** Largest export, in rows; beyond it the caller must narrow the filters. */
export const EXPORT_MAX_ROWS = 1_000_000;

/** Arguments of `exportResults`. */
export interface ExportResultsRequest {
  outputDir: string;
  format: string;
  /** A `QUERY_ENTITY_TYPES` name or `convergence`. */
  entity_type: string;
  filters?: {
    entity_id?: EntityIdFilter;
    stage_range?: readonly number[];
    scenario_range?: readonly number[];
  };
  entityNames?: EntityNames;
}

/** Result of `exportResults` (SS2.9). */
export interface ExportResult {
  file_path: string;
  rows: number;
  size_bytes: number;
}

/** Directory, inside the output directory, that receives exports. */
export const EXPORTS_DIR = "exports";

function sanitize(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 60);
}

/** Deterministic file name: entity type plus a tag per filter (`hydros_ITAIPU_stages-0-11.csv`). */
export function exportFileName(request: ExportResultsRequest, format: ExportFormat): string {
  const parts = [sanitize(request.entity_type)];
  const filters = request.filters ?? {};
  if (filters.entity_id !== undefined) {
    const ids = Array.isArray(filters.entity_id) ? filters.entity_id : [filters.entity_id];
    parts.push(sanitize(ids.map(String).join("-")));
  }
  if (filters.stage_range) parts.push(`stages-${filters.stage_range.join("-")}`);
  if (filters.scenario_range) parts.push(`scenarios-${filters.scenario_range.join("-")}`);
  return `${parts.join("_")}.${format}`;
}

function csvCell(value: JsonValue): string {
  if (value === null) return "";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** CSV text of a table (header row, then one line per row). */
export function toCsv(table: { columns: string[]; rows: JsonValue[][] }): string {
  const lines = [table.columns.map(csvCell).join(",")];
  for (const row of table.rows) lines.push(row.map(csvCell).join(","));
  return lines.join("\n") + "\n";
}

/** JSON text of a table: an array of `{column: value}` objects. */
export function toJsonRecords(table: { columns: string[]; rows: JsonValue[][] }): string {
  const parts = table.rows.map((row) => {
    const record: Record<string, JsonValue> = {};
    table.columns.forEach((name, i) => (record[name] = row[i] ?? null));
    return JSON.stringify(record);
  });
  return `[\n${parts.join(",\n")}\n]\n`;
}

function arrowType(type: ResultColumnType): DataType {
  switch (type) {
    case "int8":
      return new Int8();
    case "int32":
      return new Int32();
    case "int64":
      return new Int64();
    case "float64":
      return new Float64();
    case "boolean":
      return new Bool();
    default:
      return new Utf8();
  }
}

function arrowValue(value: JsonValue, type: ResultColumnType): unknown {
  if (value === null) return null;
  switch (type) {
    case "int64":
      return BigInt(value as number);
    case "utf8":
    case "other":
      return typeof value === "string" ? value : JSON.stringify(value);
    default:
      return value;
  }
}

/** Arrow IPC file bytes of a scan, typed as its source columns. */
export function toArrowIpc(scan: ScanResult): Uint8Array {
  const fields: Field[] = [];
  const vectors: Record<string, Vector> = {};
  scan.columns.forEach((name, i) => {
    const type = scan.columnTypes[i] ?? "other";
    const dataType = arrowType(type);
    fields.push(new Field(name, dataType, scan.columnNullable[i] ?? true));
    vectors[name] = vectorFromArray(
      scan.rows.map((row) => arrowValue(row[i] ?? null, type)),
      dataType,
    );
  });
  return tableToIPC(new Table(new Schema(fields), vectors), "file");
}

/** Reads `training/convergence.parquet` in full as a typed scan. */
async function scanConvergence(
  outputDir: string,
  access: FileAccess,
): Promise<ScanResult> {
  const path = posix.join(outputDir, CONVERGENCE_TABLE.path);
  if ((await access.stat(path)) === null) {
    throw outputNotFound(path, "training/convergence.parquet (per-iteration convergence log)");
  }
  const source = await openParquet(access, path, path);
  try {
    const leaves = leafColumns(source.columns);
    const topLevel = source.columns.map((c) => c.name);
    const position = new Map(topLevel.map((name, i) => [name, i]));
    const cells = await readParquetRows(source, topLevel, 0, source.numRows);
    return {
      columns: leaves.map((l) => l.name),
      rows: cells.map((row) =>
        leaves.map((leaf) => leafValue(row[position.get(leaf.topLevel) as number], leaf))
      ),
      total_rows: source.numRows,
      truncated: false,
      columnTypes: leaves.map((leaf) => columnTypeOf(leaf.node.element)),
      columnNullable: leaves.map(isNullable),
    };
  } finally {
    source.close();
  }
}

function tooManyRows(total: number): CobreError {
  return new CobreError(
    errorRecord(
      "InvalidArgument",
      `The export would hold ${total} rows, more than the ${EXPORT_MAX_ROWS} an export allows`,
      { argument: "filters", total_rows: total, max_rows: EXPORT_MAX_ROWS },
      "Narrow the export with filters.scenario_range, filters.stage_range or filters.entity_id.",
    ),
  );
}

/** Exports filtered results (or the convergence log) to `<output_dir>/exports/` (SS2.9). */
export async function exportResults(
  request: ExportResultsRequest,
  access: FileAccess,
): Promise<ExportResult> {
  const format = request.format as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) invalidFormat(request.format);
  const isConvergence = request.entity_type === "convergence";
  if (!isConvergence && !(request.entity_type in QUERY_ENTITY_TYPES)) {
    throw invalidChoice("entity_type", request.entity_type, [
      ...Object.keys(QUERY_ENTITY_TYPES),
      "convergence",
    ]);
  }
  const info = await access.stat(request.outputDir);
  if (info === null || !info.isDirectory) {
    throw outputNotFound(request.outputDir, "Cobre output directory");
  }
  let scan: ScanResult;
  if (isConvergence) {
    const filters = request.filters ?? {};
    if (Object.values(filters).some((value) => value !== undefined)) {
      throw invalidArgument(
        "filters",
        "entity_id, stage_range and scenario_range do not apply to the convergence log",
      );
    }
    scan = await scanConvergence(request.outputDir, access);
  } else {
    scan = await scanResults(
      {
        outputDir: request.outputDir,
        entity_type: request.entity_type,
        ...(request.filters ? { filters: request.filters } : {}),
        ...(request.entityNames ? { entityNames: request.entityNames } : {}),
      },
      access,
      EXPORT_MAX_ROWS,
    );
  }
  if (scan.total_rows > EXPORT_MAX_ROWS) throw tooManyRows(scan.total_rows);

  const bytes = format === "arrow"
    ? toArrowIpc(scan)
    : new TextEncoder().encode(format === "csv" ? toCsv(scan) : toJsonRecords(scan));
  const exportsDir = posix.join(request.outputDir, EXPORTS_DIR);
  await access.makeDir(exportsDir);
  const filePath = posix.join(exportsDir, exportFileName(request, format));
  await writeFileAtomic(filePath, bytes, access);
  return { file_path: filePath, rows: scan.rows.length, size_bytes: bytes.byteLength };
}

function invalidFormat(format: string): never {
  throw invalidChoice("format", format, EXPORT_FORMATS);
}
