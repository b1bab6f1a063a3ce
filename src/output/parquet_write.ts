/**
 * Encodes rows into a Parquet file with the exact physical types of a `TableSpec`.
 *
 * Type mapping (what arrow-rs writes for Cobre's Arrow schema): Int32 → INT32, Int64 → INT64,
 * Float64 → DOUBLE, Boolean → BOOLEAN, Int8 → INT32 annotated `INT_8`. Non-nullable columns are
 * REQUIRED, nullable ones OPTIONAL.
 *
 * Int8 carries only the legacy `INT_8` converted type, not the `INTEGER(8, signed)` logical type:
 * hyparquet-writer 0.17 encodes `IntType.bitWidth` as a thrift i32 instead of an i8, which DuckDB
 * rejects as invalid thrift. Every reader we know (arrow-rs, pyarrow, DuckDB, hyparquet) maps
 * `INT_8` to Int8, and it is what DuckDB itself writes for TINYINT.
 *
 * @module
 */
import { parquetWriteBuffer } from "hyparquet-writer";
import type { ColumnSource, SchemaElement } from "hyparquet-writer";
import { CobreError, errorRecord } from "../common/mod.ts";
import type { ColumnSpec, TableSpec } from "./schemas.ts";

/** A cell as the writers accept it; int64 columns take numbers or bigints. */
export type CellValue = number | bigint | boolean | null;

/** One row keyed by column name. */
export type Row = Readonly<Record<string, CellValue | undefined>>;

/** Rows per row group, as Cobre's `ParquetWriterConfig` default. */
const ROW_GROUP_SIZE = 100_000;

const INT8_RANGE = [-128, 127] as const;
const INT32_RANGE = [-2147483648, 2147483647] as const;

function schemaElement(column: ColumnSpec): SchemaElement {
  const repetition_type = column.nullable ? "OPTIONAL" : "REQUIRED";
  switch (column.type) {
    case "int8":
      return { name: column.name, type: "INT32", converted_type: "INT_8", repetition_type };
    case "int32":
      return { name: column.name, type: "INT32", repetition_type };
    case "int64":
      return { name: column.name, type: "INT64", repetition_type };
    case "float64":
      return { name: column.name, type: "DOUBLE", repetition_type };
    case "boolean":
      return { name: column.name, type: "BOOLEAN", repetition_type };
  }
}

function badCell(table: TableSpec, column: string, rowIndex: number, problem: string): CobreError {
  return new CobreError(
    errorRecord(
      "InternalError",
      `Cannot write ${table.path}: row ${rowIndex}, column "${column}" ${problem}`,
      { table: table.name, column, row: rowIndex, detail: problem },
      null,
    ),
  );
}

function checkInteger(
  value: number,
  range: readonly [number, number],
  fail: (problem: string) => CobreError,
): number {
  if (!Number.isInteger(value) || value < range[0] || value > range[1]) {
    throw fail(`holds ${value}, not an integer in [${range[0]}, ${range[1]}]`);
  }
  return value;
}

function toInt64(value: number | bigint, fail: (problem: string) => CobreError): bigint {
  if (typeof value === "bigint") return value;
  if (!Number.isSafeInteger(value)) throw fail(`holds ${value}, not a safe integer`);
  return BigInt(value);
}

/** Builds one column's data, checking every cell against the column spec. */
function columnData(table: TableSpec, column: ColumnSpec, rows: readonly object[]): ColumnSource {
  const values: (number | bigint | boolean | null)[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const fail = (problem: string) => badCell(table, column.name, i, problem);
    const raw = (rows[i] as Record<string, unknown>)[column.name];
    if (raw === null || raw === undefined) {
      if (!column.nullable) throw fail("is null but the column is not nullable");
      values[i] = null;
      continue;
    }
    switch (column.type) {
      case "boolean":
        if (typeof raw !== "boolean") throw fail(`holds ${String(raw)}, not a boolean`);
        values[i] = raw;
        break;
      case "float64":
        if (typeof raw !== "number") throw fail(`holds ${String(raw)}, not a number`);
        values[i] = raw;
        break;
      case "int64":
        if (typeof raw !== "number" && typeof raw !== "bigint") {
          throw fail(`holds ${String(raw)}, not an integer`);
        }
        values[i] = toInt64(raw, fail);
        break;
      case "int8":
      case "int32":
        if (typeof raw !== "number") throw fail(`holds ${String(raw)}, not a number`);
        values[i] = checkInteger(raw, column.type === "int8" ? INT8_RANGE : INT32_RANGE, fail);
        break;
    }
  }
  return { name: column.name, data: values, nullable: column.nullable };
}

/** Rejects keys that are not columns of the table: a misspelt column must not vanish silently. */
function checkNoUnknownColumns(table: TableSpec, rows: readonly object[]): void {
  const known = new Set(table.columns.map((c) => c.name));
  const first = rows[0];
  if (!first) return;
  for (const key of Object.keys(first)) {
    if (!known.has(key)) throw badCell(table, key, 0, "is not a column of this table");
  }
}

/**
 * Encodes `rows` (objects keyed by column name, e.g. the engine's result rows or `Row`) as a
 * Parquet file of `table`'s schema: SNAPPY pages, 100,000-row groups, every cell type-checked.
 */
export function encodeParquet(table: TableSpec, rows: readonly object[]): Uint8Array {
  checkNoUnknownColumns(table, rows);
  const schema: SchemaElement[] = [
    { name: "schema", num_children: table.columns.length },
    ...table.columns.map(schemaElement),
  ];
  const buffer = parquetWriteBuffer({
    columnData: table.columns.map((column) => columnData(table, column, rows)),
    schema,
    rowGroupSize: ROW_GROUP_SIZE,
    createdBy: "cobre-mcp",
  });
  return new Uint8Array(buffer);
}
